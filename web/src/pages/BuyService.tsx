import { zodResolver } from "@hookform/resolvers/zod";
import { useMemo, useState } from "react";
import { useForm } from "react-hook-form";
import { Link, useNavigate, useParams } from "react-router";
import { z } from "zod";
import { api, unwrap, type Schemas } from "../api/client";
import { ApiError, plainWords } from "../api/errors";
import { useAuth } from "../auth";
import { Alert, Button, Card, Input, Loading, PageTitle, Select } from "../components/ui";
import { amount as amountRule, customerRef, pin as pinRule, recipient } from "../forms";
import { newKey } from "../idempotency";
import { naira, parseNaira } from "../money";
import { CATEGORY_WORDS, formSpec, type FormSpec } from "../products";
import { useLoad } from "../useLoad";

type Service = Schemas["ServiceOut"];
type Variation = Schemas["VariationOut"];
type Verified = Schemas["VerifyOut"];
type Quote = Schemas["QuoteOut"];
type Order = Schemas["QuoteIn"];

interface Values {
  phone: string;
  plan: string;
  amount: string;
  meterType: "prepaid" | "postpaid";
  quantity: string;
  subscription: "renew" | "change";
  reference: string;
}

interface Confirmation {
  order: Order;
  quote: Quote;
  verified: Verified | null;
  idempotencyKey: string;
}

export default function BuyService() {
  const { category = "", serviceId = "" } = useParams();
  const { data, error } = useLoad(async () => {
    const services = await unwrap(
      api.GET("/api/v1/catalogue/categories/{category}/services", { params: { path: { category } } }),
    );
    const service = services.items.find((s) => s.service_id === serviceId);
    if (!service) throw new ApiError(404, "not_found", "this product is not sold here");
    const spec = formSpec(category, serviceId);
    const variations = spec.plan
      ? (await unwrap(
          api.GET("/api/v1/catalogue/services/{service_id}/variations", { params: { path: { service_id: serviceId } } }),
        )).items
      : [];
    return { service, variations, spec };
  }, [category, serviceId]);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);

  return (
    <div className="mx-auto max-w-lg">
      <PageTitle>{data?.service.name ?? CATEGORY_WORDS[category] ?? "Buy"}</PageTitle>
      <p className="mb-3">
        <Link to={`/buy/${category}`} className="text-brand-700 underline">
          Back to {CATEGORY_WORDS[category] ?? "products"}
        </Link>
      </p>
      {error && <Alert>{error}</Alert>}
      {!data && !error && <Loading />}
      {data && !confirmation && (
        <OrderForm service={data.service} variations={data.variations} spec={data.spec} onQuoted={setConfirmation} />
      )}
      {data && confirmation && <Confirm confirmation={confirmation} onBack={() => setConfirmation(null)} />}
    </div>
  );
}

function check(values: Values, spec: FormSpec): Partial<Record<keyof Values, string>> {
  const errors: Partial<Record<keyof Values, string>> = {};
  const first = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
    result.success ? undefined : result.error?.issues[0]?.message;
  if (spec.phone) errors.phone = first(recipient.safeParse(values.phone));
  if (spec.amount) errors.amount = first(amountRule.safeParse(values.amount));
  if (spec.reference) errors.reference = first(customerRef.safeParse(values.reference));
  const needsPlan = spec.plan && !(spec.renewOrChange && values.subscription === "renew");
  if (needsPlan && !values.plan) errors.plan = "Choose a plan";
  if (spec.quantity && !/^[1-9]$/.test(values.quantity)) errors.quantity = "From 1 to 9";
  return Object.fromEntries(Object.entries(errors).filter(([, v]) => v)) as typeof errors;
}

function orderFrom(values: Values, service: Service, spec: FormSpec): Order {
  const order: Order = { service_id: service.service_id };
  if (spec.phone) order.phone = values.phone.trim();
  if (spec.amount) order.amount = parseNaira(values.amount) ?? 0;
  if (spec.reference) order.customer_ref = values.reference.trim();
  if (spec.meterType) order.variation_code = values.meterType;
  if (spec.quantity) order.quantity = Number(values.quantity);
  if (spec.renewOrChange) order.subscription_type = values.subscription;
  const needsPlan = spec.plan && !(spec.renewOrChange && values.subscription === "renew");
  if (needsPlan) order.variation_code = values.plan;
  return order;
}

async function verify(spec: FormSpec, values: Values, service: Service): Promise<Verified | null> {
  const ref = values.reference.trim();
  switch (spec.reference?.verify) {
    case "meter":
      return unwrap(
        api.POST("/api/v1/verify/meter", {
          body: { service_id: service.service_id, meter_number: ref, meter_type: values.meterType },
        }),
      );
    case "smartcard":
      return unwrap(api.POST("/api/v1/verify/smartcard", { body: { service_id: service.service_id, smartcard_number: ref } }));
    case "profile":
      return unwrap(
        api.POST("/api/v1/verify/profile", {
          body: { service_id: service.service_id, profile_id: ref, variation_code: values.plan },
        }),
      );
    default:
      return null;
  }
}

function OrderForm({
  service,
  variations,
  spec,
  onQuoted,
}: {
  service: Service;
  variations: Variation[];
  spec: FormSpec;
  onQuoted: (confirmation: Confirmation) => void;
}) {
  const { profile } = useAuth();
  const [failure, setFailure] = useState<string | null>(null);
  const defaults: Values = useMemo(
    () => ({
      phone: profile?.phone ? profile.phone.replace(/^\+234/, "0") : "",
      plan: "",
      amount: "",
      meterType: "prepaid",
      quantity: "1",
      subscription: "renew",
      reference: "",
    }),
    [profile],
  );
  const { register, handleSubmit, watch, formState } = useForm<Values>({
    defaultValues: defaults,
    resolver: async (values) => {
      const errors = check(values, spec);
      if (Object.keys(errors).length === 0) return { values, errors: {} };
      return {
        values: {},
        errors: Object.fromEntries(Object.entries(errors).map(([k, message]) => [k, { type: "invalid", message }])),
      };
    },
  });
  const subscription = watch("subscription");

  const onSubmit = handleSubmit(async (values) => {
    setFailure(null);
    try {
      const verified = await verify(spec, values, service);
      if (verified && !verified.valid) {
        setFailure(verified.message ?? `That ${spec.reference?.label.toLowerCase() ?? "number"} was not found.`);
        return;
      }
      const order = orderFrom(values, service, spec);
      const quote = await unwrap(api.POST("/api/v1/quotes", { body: order }));
      onQuoted({ order, quote, verified, idempotencyKey: newKey() });
    } catch (caught) {
      setFailure(plainWords(caught));
    }
  });

  const bounds =
    service.min_amount && service.max_amount
      ? `From ${service.min_amount.formatted} to ${service.max_amount.formatted}.`
      : service.min_amount
        ? `At least ${service.min_amount.formatted}.`
        : undefined;

  return (
    <Card>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        {failure && <Alert>{failure}</Alert>}
        {spec.meterType && (
          <fieldset>
            <legend className="mb-1 text-sm font-medium text-slate-800">Meter type</legend>
            <div className="flex gap-4">
              {(["prepaid", "postpaid"] as const).map((kind) => (
                <label key={kind} className="flex min-h-11 items-center gap-2 capitalize">
                  <input type="radio" value={kind} className="h-5 w-5 accent-brand-700" {...register("meterType")} />
                  {kind}
                </label>
              ))}
            </div>
          </fieldset>
        )}
        {spec.renewOrChange && (
          <fieldset>
            <legend className="mb-1 text-sm font-medium text-slate-800">What to pay for</legend>
            <div className="flex flex-wrap gap-4">
              <label className="flex min-h-11 items-center gap-2">
                <input type="radio" value="renew" className="h-5 w-5 accent-brand-700" {...register("subscription")} />
                Renew my bouquet
              </label>
              <label className="flex min-h-11 items-center gap-2">
                <input type="radio" value="change" className="h-5 w-5 accent-brand-700" {...register("subscription")} />
                Change bouquet
              </label>
            </div>
          </fieldset>
        )}
        {spec.plan && !(spec.renewOrChange && subscription === "renew") && (
          <Select label={service.category === "tv-subscription" ? "Bouquet" : "Plan"} error={formState.errors.plan?.message} {...register("plan")}>
            <option value="">Choose…</option>
            {variations.map((v) => (
              <option key={v.code} value={v.code}>
                {v.name} ({v.amount.formatted})
              </option>
            ))}
          </Select>
        )}
        {spec.reference && (
          <Input
            label={spec.reference.label}
            inputMode="numeric"
            autoComplete="off"
            hint={spec.reference.verify ? "We check it and show the name before you pay." : undefined}
            error={formState.errors.reference?.message}
            {...register("reference")}
          />
        )}
        {spec.phone && (
          <Input
            label={service.category === "airtime" || service.category === "data" ? "Phone number to top up" : "Phone number"}
            type="tel"
            inputMode="tel"
            error={formState.errors.phone?.message}
            {...register("phone")}
          />
        )}
        {spec.amount && (
          <Input label="Amount (₦)" inputMode="decimal" hint={bounds} error={formState.errors.amount?.message} {...register("amount")} />
        )}
        {spec.quantity && (
          <Input label="How many" inputMode="numeric" error={formState.errors.quantity?.message} {...register("quantity")} />
        )}
        <Button type="submit" busy={formState.isSubmitting} className="w-full">
          Continue
        </Button>
      </form>
    </Card>
  );
}

function Row({ label, value, strong = false }: { label: string; value: string; strong?: boolean }) {
  return (
    <div className={`flex justify-between gap-3 py-1 ${strong ? "border-t border-slate-200 pt-2 font-semibold" : ""}`}>
      <dt className="text-slate-700">{label}</dt>
      <dd className="text-right">{value}</dd>
    </div>
  );
}

function Confirm({ confirmation, onBack }: { confirmation: Confirmation; onBack: () => void }) {
  const navigate = useNavigate();
  const { quote, verified, order, idempotencyKey } = confirmation;
  const [failure, setFailure] = useState<string | null>(null);
  const { register, handleSubmit, formState, setValue } = useForm<{ pin: string }>({
    resolver: zodResolver(z.object({ pin: pinRule })),
  });
  const onSubmit = handleSubmit(async ({ pin }) => {
    setFailure(null);
    try {
      const purchase = await unwrap(
        api.POST("/api/v1/purchases", {
          body: { ...order, pin },
          params: { header: { "Idempotency-Key": idempotencyKey } },
        }),
      );
      navigate(`/purchases/${purchase.id}`);
    } catch (caught) {
      setValue("pin", "");
      setFailure(plainWords(caught));
    }
  });
  return (
    <Card title="Check and pay">
      {verified?.customer_name && (
        <div className="mb-3 rounded-xl bg-brand-50 p-3" data-testid="customer">
          <p className="text-sm text-slate-700">Customer</p>
          <p className="font-semibold">{verified.customer_name}</p>
          {verified.address && <p className="text-sm text-slate-700">{verified.address}</p>}
          {verified.current_bouquet && <p className="text-sm text-slate-700">Current bouquet: {verified.current_bouquet}</p>}
        </div>
      )}
      <dl className="mb-4" data-testid="quote">
        <Row label="Product" value={quote.product} />
        {quote.customer_ref && <Row label="Number" value={quote.customer_ref} />}
        {!quote.customer_ref && <Row label="Phone" value={quote.phone.replace(/^\+234/, "0")} />}
        {quote.quantity > 1 && <Row label="Quantity" value={String(quote.quantity)} />}
        <Row label="Price" value={quote.face_amount.formatted} />
        <Row label="Fee" value={quote.fee.formatted} />
        {quote.discount.kobo > 0 && <Row label="Discount" value={`-${naira(quote.discount.kobo)}`} />}
        <Row label="You pay" value={quote.total.formatted} strong />
      </dl>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        {failure && <Alert>{failure}</Alert>}
        <Input
          label="Transaction PIN"
          type="password"
          inputMode="numeric"
          autoComplete="off"
          maxLength={4}
          error={formState.errors.pin?.message}
          {...register("pin")}
        />
        <div className="flex flex-col-reverse gap-2 sm:flex-row">
          <Button variant="secondary" onClick={onBack} className="sm:flex-1">
            Change
          </Button>
          <Button type="submit" busy={formState.isSubmitting} className="sm:flex-1">
            Pay {quote.total.formatted}
          </Button>
        </div>
      </form>
    </Card>
  );
}
