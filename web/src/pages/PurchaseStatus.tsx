import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { api, unwrap, type Schemas } from "../api/client";
import { plainWords } from "../api/errors";
import { Alert, Card, CopyButton, Loading, PageTitle, StatusBadge } from "../components/ui";
import { lagos } from "../dates";

type Purchase = Schemas["PurchaseOut"];
const SETTLED = new Set(["delivered", "failed", "reversed"]);
const POLL_MS = 1500;

const WORDS: Record<string, string> = {
  initiated: "We are sending your order…",
  pending: "Waiting for the provider to confirm…",
  delivered: "Delivered.",
  failed: "It did not go through. Your wallet was refunded.",
  reversed: "The provider reversed it. Your wallet was refunded.",
};

export default function PurchaseStatus() {
  const { id = "" } = useParams();
  const [purchase, setPurchase] = useState<Purchase | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    const poll = async () => {
      try {
        const found = await unwrap(
          api.GET("/api/v1/purchases/{purchase_id}", { params: { path: { purchase_id: Number(id) } } }),
        );
        if (stopped) return;
        setPurchase(found);
        setError(null);
        if (!SETTLED.has(found.status)) timer = window.setTimeout(poll, POLL_MS);
      } catch (caught) {
        if (stopped) return;
        setError(plainWords(caught));
        timer = window.setTimeout(poll, POLL_MS * 2);
      }
    };
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [id]);

  return (
    <div className="mx-auto max-w-lg space-y-4">
      <PageTitle>Receipt</PageTitle>
      {error && <Alert>{error}</Alert>}
      {!purchase && !error && <Loading />}
      {purchase && <Receipt purchase={purchase} />}
      <p className="flex flex-wrap gap-4">
        <Link to="/buy" className="text-brand-700 underline">
          Buy something else
        </Link>
        <Link to="/history" className="text-brand-700 underline">
          History
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

export function Receipt({ purchase }: { purchase: Purchase }) {
  const settled = SETTLED.has(purchase.status);
  return (
    <Card>
      <div className="mb-3 flex items-center justify-between gap-2">
        <p className="font-semibold">{purchase.product}</p>
        <StatusBadge status={purchase.status} />
      </div>
      <p role="status" aria-live="polite" className="mb-3 text-slate-800" data-testid="purchase-status">
        {purchase.failure_reason && !["delivered", "pending", "initiated"].includes(purchase.status)
          ? `${WORDS[purchase.status]} ${purchase.failure_reason}`
          : WORDS[purchase.status]}
        {!settled && <span className="sr-only"> This page updates by itself.</span>}
      </p>
      {purchase.token && (
        <div className="mb-3 rounded-xl bg-brand-50 p-3">
          <p className="text-sm text-slate-700">Electricity token</p>
          <div className="flex flex-wrap items-center justify-between gap-2">
            <p className="font-mono text-xl font-bold tracking-wider" data-testid="token">
              {purchase.token.replace(/(\d{4})(?=\d)/g, "$1 ")}
            </p>
            <CopyButton text={purchase.token} label="Copy the token" />
          </div>
          {purchase.units && <p className="text-sm text-slate-700">{purchase.units}</p>}
        </div>
      )}
      {purchase.pins.length > 0 && (
        <div className="mb-3 rounded-xl bg-brand-50 p-3">
          <p className="text-sm text-slate-700">{purchase.pins.length === 1 ? "PIN" : "PINs"}</p>
          <ul>
            {purchase.pins.map((pin, index) => (
              <li key={pin} className="flex flex-wrap items-center justify-between gap-2 py-1">
                <span className="font-mono font-bold break-all" data-testid="pin">
                  {pin}
                </span>
                <CopyButton text={pin} label={`Copy PIN ${index + 1}`} />
              </li>
            ))}
          </ul>
        </div>
      )}
      <dl>
        <Line label="Reference">
          <span className="font-mono" data-testid="reference">
            {purchase.reference}
          </span>
        </Line>
        {purchase.customer_ref && <Line label="Number">{purchase.customer_ref}</Line>}
        <Line label="Phone">{purchase.phone.replace(/^\+234/, "0")}</Line>
        <Line label="Price">{purchase.amount.formatted}</Line>
        <Line label="Fee">{purchase.fee.formatted}</Line>
        <Line label="Paid">{purchase.total.formatted}</Line>
        <Line label="When">{lagos(purchase.created_at)}</Line>
      </dl>
    </Card>
  );
}
