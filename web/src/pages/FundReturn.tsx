// Where Paystack sends the payer back (`/fund/return?reference=…`): the funding's result,
// asked again until it settles (the API verifies an open checkout with Paystack each time).
import { useEffect, useState } from "react";
import { Link, useLocation } from "react-router";
import { api, unwrap, type Schemas } from "../api/client";
import { plainWords } from "../api/errors";
import { Alert, Card, Loading, PageTitle } from "../components/ui";
import { lagos } from "../dates";
import { FUNDING_WORDS, isSettled, returnedReference } from "../funding";

type Funding = Schemas["FundingOut"];
const POLL_MS = 1500;
const SLOWEST_MS = 10_000;

export default function FundReturn() {
  const reference = returnedReference(useLocation().search);
  const [funding, setFunding] = useState<Funding | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!reference) return;
    let stopped = false;
    let timer: number | undefined;
    let wait = POLL_MS;
    const poll = async () => {
      try {
        const found = await unwrap(
          api.GET("/api/v1/wallet/fundings/{reference}", { params: { path: { reference } } }),
        );
        if (stopped) return;
        setFunding(found);
        setError(null);
        if (isSettled(found.status)) return;
      } catch (caught) {
        if (stopped) return;
        setError(plainWords(caught));
      }
      wait = Math.min(wait * 1.5, SLOWEST_MS);
      timer = window.setTimeout(poll, wait);
    };
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [reference]);

  return (
    <div className="mx-auto max-w-lg space-y-4">
      <PageTitle>Wallet funding</PageTitle>
      {!reference && <Alert>This address does not name a payment. Start again from Fund wallet.</Alert>}
      {error && <Alert>{error}</Alert>}
      {reference && !funding && !error && <Loading />}
      {funding && (
        <Card>
          <p
            role="status"
            aria-live="polite"
            data-testid="funding-status"
            className={`mb-3 font-medium ${funding.status === "credited" ? "text-brand-800" : "text-slate-900"}`}
          >
            {FUNDING_WORDS[funding.status]}
            {!isSettled(funding.status) && <span className="sr-only"> This page updates by itself.</span>}
          </p>
          <dl>
            <Line label="You paid">{funding.amount.formatted}</Line>
            <Line label="Paystack fee">{funding.fee.formatted}</Line>
            <Line label={funding.status === "credited" ? "Added to your wallet" : "Reaches your wallet"}>
              <strong>{funding.credit_amount.formatted}</strong>
            </Line>
            <Line label="Reference">
              <span className="font-mono">{funding.reference}</span>
            </Line>
            <Line label="When">{lagos(funding.credited_at ?? funding.created_at)}</Line>
          </dl>
        </Card>
      )}
      <p className="flex flex-wrap gap-4">
        <Link to="/" className="text-brand-700 underline">
          Back to your wallet
        </Link>
        <Link to="/fund" className="text-brand-700 underline">
          Fund again
        </Link>
      </p>
    </div>
  );
}

function Line({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex justify-between gap-3 py-1">
      <dt className="text-slate-700">{label}</dt>
      <dd className="min-w-0 break-words text-right">{children}</dd>
    </div>
  );
}
