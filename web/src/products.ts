// What each product's form asks for, from its category and service (the API's rules in
// gateway/purchases/products.py): the catalogue gives the services, plans and prices.

export type VerifyKind = "meter" | "smartcard" | "profile";

export interface FormSpec {
  /** Recipient (airtime, data) or contact phone. */
  phone: boolean;
  /** Choose a plan from the service's variations. */
  plan: boolean;
  /** An amount in naira (open-amount products). */
  amount: boolean;
  meterType: boolean;
  quantity: boolean;
  /** DStv and GOtv: renew the current bouquet or change it. */
  renewOrChange: boolean;
  reference: { label: string; verify: VerifyKind | null } | null;
}

const NONE: FormSpec = {
  phone: false,
  plan: false,
  amount: false,
  meterType: false,
  quantity: false,
  renewOrChange: false,
  reference: null,
};

export function formSpec(category: string, serviceId: string): FormSpec {
  switch (category) {
    case "airtime":
      return { ...NONE, phone: true, amount: true };
    case "data":
      if (serviceId === "smile-direct") return { ...NONE, plan: true, reference: { label: "Smile account ID", verify: null } };
      if (serviceId === "spectranet") return { ...NONE, plan: true, reference: { label: "Spectranet account number", verify: null } };
      return { ...NONE, phone: true, plan: true };
    case "electricity-bill":
      return { ...NONE, amount: true, meterType: true, reference: { label: "Meter number", verify: "meter" } };
    case "tv-subscription":
      if (serviceId === "showmax") return { ...NONE, phone: true, plan: true };
      if (serviceId === "dstv" || serviceId === "gotv") {
        return { ...NONE, plan: true, renewOrChange: true, reference: { label: "Smartcard (IUC) number", verify: "smartcard" } };
      }
      return { ...NONE, plan: true, reference: { label: "Smartcard number", verify: "smartcard" } };
    case "education":
      if (serviceId === "jamb") return { ...NONE, plan: true, reference: { label: "JAMB profile ID", verify: "profile" } };
      return { ...NONE, plan: true, quantity: true };
    default:
      return { ...NONE, phone: true, plan: true };
  }
}

export const CATEGORY_WORDS: Record<string, string> = {
  airtime: "Airtime",
  data: "Data",
  "electricity-bill": "Electricity",
  "tv-subscription": "TV",
  education: "Exam PINs",
};
