// Fund the wallet: by card through Paystack's checkout (the fee and what reaches the wallet
// shown before paying), or by a bank transfer to the person's own account number.
import { zodResolver } from "@hookform/resolvers/zod";
import { useEffect, useState } from "react";
import { useForm } from "react-hook-form";
import { api, unwrap, type Schemas } from "../api/client";
import { plainWords } from "../api/errors";
import { Alert, Button, Card, CopyButton, Input, Loading, PageTitle } from "../components/ui";
import { fundingForm, fundingKobo, type FundingValues } from "../funding";
import { newKey } from "../idempotency";

type Quote = Schemas["FundingQuoteOut"];
type Account = Schemas["DedicatedAccountOut"];
const ACCOUNT_POLL_MS = 3000;

/** Leave the app for Paystack's checkout page (a prop so tests can watch it). */
export type GoTo = (url: string) => void;
const leave: GoTo = (url) => window.location.assign(url);

export default function Fund({ goTo = leave }: { goTo?: GoTo }) {
  return (
    <div className="mx-auto max-w-lg space-y-4">
      <PageTitle>Fund your wallet</PageTitle>
      <CardFunding goTo={goTo} />
      <AccountNumber />
    </div>
  );
}

interface Confirmation {
  quote: Quote;
  idempotencyKey: string; // one per confirmed amount, so a second press opens the same checkout
}

function CardFunding({ goTo }: { goTo: GoTo }) {
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const { register, handleSubmit, formState } = useForm<FundingValues>({
    resolver: zodResolver(fundingForm),
    defaultValues: { amount: "" },
  });
  const [paying, setPaying] = useState(false);

  const onQuote = handleSubmit(async (values) => {
    setFailure(null);
    try {
      const quote = await unwrap(
        api.GET("/api/v1/wallet/funding-quote", { params: { query: { amount: fundingKobo(values) } } }),
      );
      setConfirmation({ quote, idempotencyKey: newKey() });
    } catch (caught) {
      setFailure(plainWords(caught));
    }
  });

  const pay = async () => {
    if (!confirmation) return;
    setFailure(null);
    setPaying(true);
    try {
      const funding = await unwrap(
        api.POST("/api/v1/wallet/fundings", {
          body: { amount: confirmation.quote.amount.kobo },
          params: { header: { "Idempotency-Key": confirmation.idempotencyKey } },
        }),
      );
      if (!funding.checkout_url) throw new Error("no checkout");
      goTo(funding.checkout_url);
    } catch (caught) {
      setFailure(plainWords(caught));
      setPaying(false);
    }
  };

  if (confirmation) {
    const { quote } = confirmation;
    return (
      <Card title="Check and pay by card">
        {failure && <Alert>{failure}</Alert>}
        <dl className="my-3" data-testid="funding-quote">
          <Row label="You pay" value={quote.amount.formatted} />
          <Row label="Paystack fee" value={quote.fee.formatted} />
          <Row label="Reaches your wallet" value={quote.credit_amount.formatted} strong />
        </dl>
        <p className="mb-4 text-sm text-slate-700">
          {quote.fee_bearer === "paylink"
            ? "PayLink pays Paystack's fee for you."
            : "Paystack's fee comes out of what you pay."}{" "}
          You pay on Paystack's page, then come back here.
        </p>
        <div className="flex flex-col gap-2 sm:flex-row">
          <Button onClick={() => void pay()} busy={paying} className="flex-1">
            Pay {quote.amount.formatted} by card
          </Button>
          <Button variant="secondary" onClick={() => setConfirmation(null)} disabled={paying}>
            Change amount
          </Button>
        </div>
      </Card>
    );
  }
  return (
    <Card title="Pay by card">
      <form onSubmit={onQuote} noValidate className="space-y-4">
        {failure && <Alert>{failure}</Alert>}
        <Input
          label="Amount (₦)"
          inputMode="decimal"
          autoComplete="off"
          hint="You see Paystack's fee and what reaches your wallet before you pay."
          error={formState.errors.amount?.message}
          {...register("amount")}
        />
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
      <dd>{value}</dd>
    </div>
  );
}

function AccountNumber() {
  const [account, setAccount] = useState<Account | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    const ask = async () => {
      try {
        const found = await unwrap(api.GET("/api/v1/wallet/account"));
        if (stopped) return;
        setAccount(found);
        setError(null);
        // 202 `pending` while Paystack sets it up: ask again shortly
        if (found.status === "pending") timer = window.setTimeout(ask, ACCOUNT_POLL_MS);
      } catch (caught) {
        if (!stopped) setError(plainWords(caught));
      }
    };
    void ask();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, []);

  return (
    <Card title="Or transfer to your own account">
      {error && <Alert>{error}</Alert>}
      {!account && !error && <Loading label="Getting your account number…" />}
      {account?.status === "pending" && (
        <p role="status" className="text-slate-700">
          Your account number is being set up. This page updates by itself.
        </p>
      )}
      {account?.status === "failed" && (
        <Alert>We could not set up your account number yet. Please try again later.</Alert>
      )}
      {account?.status === "active" && account.account_number && (
        <>
          <p className="mb-3 text-slate-700">
            Send money to this account from any bank app or bank USSD code; it reaches your wallet by itself.
          </p>
          <div className="rounded-xl bg-brand-50 p-3">
            <p className="text-sm text-slate-700">{account.bank}</p>
            <div className="flex flex-wrap items-center justify-between gap-2">
              <p className="font-mono text-2xl font-bold tracking-wider" data-testid="account-number">
                {account.account_number}
              </p>
              <CopyButton text={account.account_number} label="Copy the account number" />
            </div>
            <p className="text-sm text-slate-800">{account.account_name}</p>
          </div>
          <p className="mt-3 text-sm text-slate-700">{account.fee_note}</p>
        </>
      )}
    </Card>
  );
}
