import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { api, unwrap, type Schemas } from "../api/client";
import { plainWords } from "../api/errors";
import { Alert, Button, Card, Input, PageTitle, StatusBadge } from "../components/ui";
import { lagos } from "../dates";
import { amount, phone } from "../forms";
import { parseNaira } from "../money";
import { useLoad } from "../useLoad";

type Purchase = Schemas["OperatorPurchaseOut"];
type Audit = Schemas["AuditTrailOut"];

const REFERENCE = /^([1-9][0-9]{0,17}|[Pp][Ll]-[0-9A-Za-z]{8})$/;

export default function Operator() {
  return (
    <div className="space-y-4">
      <PageTitle>Operator console</PageTitle>
      <FindCard />
      <CreditCard />
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <FloatCard />
        <ReconcileCard />
      </div>
    </div>
  );
}

function FindCard() {
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<Purchase[] | null>(null);
  const [selected, setSelected] = useState<Purchase | null>(null);
  const [audit, setAudit] = useState<Audit | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const open = async (purchase: Purchase) => {
    setSelected(purchase);
    setAudit(
      await unwrap(
        api.GET("/api/v1/operator/purchases/{purchase_id}/audit", { params: { path: { purchase_id: String(purchase.id) } } }),
      ),
    );
  };

  const search = async (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    setSelected(null);
    setAudit(null);
    setFound(null);
    const text = query.trim();
    setBusy(true);
    try {
      if (REFERENCE.test(text)) {
        const purchase = await unwrap(
          api.GET("/api/v1/operator/purchases/{purchase_id}", { params: { path: { purchase_id: text } } }),
        );
        setFound([purchase]);
        await open(purchase);
      } else if (phone.safeParse(text).success) {
        const list = await unwrap(api.GET("/api/v1/operator/purchases", { params: { query: { phone: text } } }));
        setFound(list.items);
        if (list.items[0]) await open(list.items[0]);
      } else {
        setError("Type a reference (PL-…), a purchase id, or the customer's phone number.");
      }
    } catch (caught) {
      setError(plainWords(caught));
    } finally {
      setBusy(false);
    }
  };

  const requery = async () => {
    if (!selected) return;
    setError(null);
    setBusy(true);
    try {
      const fresh = await unwrap(
        api.POST("/api/v1/operator/purchases/{purchase_id}/requery", { params: { path: { purchase_id: String(selected.id) } } }),
      );
      setFound((list) => list?.map((p) => (p.id === fresh.id ? fresh : p)) ?? null);
      await open(fresh);
    } catch (caught) {
      setError(plainWords(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="Find a purchase">
      <form onSubmit={search} className="flex flex-col gap-2 sm:flex-row sm:items-end">
        <div className="flex-1">
          <Input label="Reference, id or phone" value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" />
        </div>
        <Button type="submit" busy={busy}>
          Find
        </Button>
      </form>
      {error && <div className="mt-3"><Alert>{error}</Alert></div>}
      {found && found.length === 0 && <p className="mt-3 text-slate-700">No purchases found.</p>}
      {found && found.length > 1 && (
        <ul className="mt-3 divide-y divide-slate-200">
          {found.map((p) => (
            <li key={p.id}>
              <button type="button" onClick={() => void open(p)} className="flex w-full items-center justify-between gap-2 py-2 text-left hover:bg-slate-50">
                <span className="min-w-0">
                  <span className="block truncate font-medium">{p.product}</span>
                  <span className="block text-sm text-slate-600">{p.reference} · {lagos(p.created_at)}</span>
                </span>
                <StatusBadge status={p.status} />
              </button>
            </li>
          ))}
        </ul>
      )}
      {selected && (
        <div className="mt-4 space-y-3 rounded-xl border border-slate-200 p-3" data-testid="operator-purchase">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <p className="font-semibold">
              {selected.reference} · {selected.product}
            </p>
            <StatusBadge status={selected.status} />
          </div>
          <dl className="grid grid-cols-2 gap-x-3 gap-y-1 text-sm">
            <dt className="text-slate-600">Buyer</dt>
            <dd className="break-words">{selected.buyer_phone ?? "—"}</dd>
            <dt className="text-slate-600">Paid</dt>
            <dd>{selected.total.formatted}</dd>
            <dt className="text-slate-600">Request id</dt>
            <dd className="break-all">{selected.request_id}</dd>
            <dt className="text-slate-600">VTPass code</dt>
            <dd>{selected.vtpass_code ?? "—"}</dd>
            <dt className="text-slate-600">Attempts</dt>
            <dd>{selected.attempts}</dd>
            <dt className="text-slate-600">Needs review</dt>
            <dd>{selected.needs_review ? "Yes" : "No"}</dd>
          </dl>
          <Button variant="secondary" onClick={() => void requery()} busy={busy}>
            Requery now
          </Button>
          {audit && (
            <div>
              <h3 className="mb-1 font-semibold">Audit trail</h3>
              {audit.items.length === 0 && <p className="text-sm text-slate-600">No exchange with VTPass yet.</p>}
              <ol className="space-y-1 text-sm" data-testid="audit">
                {audit.items.map((line, index) => (
                  <li key={index} className="rounded-lg bg-slate-50 px-2 py-1">
                    <span className="font-medium">{line.op}</span> · {line.outcome ?? "—"} · {lagos(line.at)}
                    {line.provider_message && <span className="block text-slate-600">{line.provider_message}</span>}
                  </li>
                ))}
              </ol>
            </div>
          )}
        </div>
      )}
    </Card>
  );
}

const creditForm = z.object({
  phone,
  amount,
  reference: z.string().trim().regex(/^[A-Za-z0-9._:/-]{1,120}$/, "Letters, digits and . _ : / - only"),
});

function CreditCard() {
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const { register, handleSubmit, formState } = useForm<z.infer<typeof creditForm>>({ resolver: zodResolver(creditForm) });
  const onSubmit = handleSubmit(async (values) => {
    setMessage(null);
    try {
      const credit = await unwrap(
        api.POST("/api/v1/operator/wallet-credits", {
          body: { phone: values.phone, amount: parseNaira(values.amount) ?? 0, reference: values.reference },
        }),
      );
      setMessage({
        kind: "success",
        text: credit.created
          ? `Credited. The balance is now ${credit.balance.formatted}.`
          : `This reference was credited before; nothing moved. The balance is ${credit.balance.formatted}.`,
      });
    } catch (caught) {
      setMessage({ kind: "error", text: plainWords(caught) });
    }
  });
  return (
    <Card title="Credit a wallet">
      <form onSubmit={onSubmit} noValidate className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        <Input label="Phone" type="tel" error={formState.errors.phone?.message} {...register("phone")} />
        <Input label="Amount (₦)" inputMode="decimal" error={formState.errors.amount?.message} {...register("amount")} />
        <Input label="Reference" hint="e.g. the bank transfer's" error={formState.errors.reference?.message} {...register("reference")} />
        <div className="sm:col-span-3">
          {message && <div className="mb-3"><Alert kind={message.kind}>{message.text}</Alert></div>}
          <Button type="submit" busy={formState.isSubmitting}>
            Credit
          </Button>
        </div>
      </form>
    </Card>
  );
}

function FloatCard() {
  const { data, error, loading, reload } = useLoad(() => unwrap(api.GET("/api/v1/operator/float")), []);
  return (
    <Card title="VTPass float" actions={<Button variant="secondary" className="min-h-9 text-sm" onClick={() => void reload()} busy={loading}>Refresh</Button>}>
      {error && <Alert>{error}</Alert>}
      <p className="text-2xl font-bold" data-testid="float">{data ? data.balance.formatted : "…"}</p>
    </Card>
  );
}

function ReconcileCard() {
  const { data, error, loading, reload } = useLoad(() => unwrap(api.GET("/api/v1/operator/reconciliation")), []);
  return (
    <Card title="Reconciliation" actions={<Button variant="secondary" className="min-h-9 text-sm" onClick={() => void reload()} busy={loading}>Run again</Button>}>
      {error && <Alert>{error}</Alert>}
      {data && (
        <div data-testid="reconcile">
          <p className={`font-semibold ${data.ok ? "text-brand-700" : "text-red-700"}`}>
            {data.ok ? "Every invariant holds." : `${data.discrepancies.length} discrepancies`}
          </p>
          <p className="text-sm text-slate-700">
            {data.journals_checked} journals, {data.wallets_checked} wallets, {data.purchases_checked} purchases checked.
          </p>
          <ul className="mt-2 space-y-1 text-sm">
            {data.discrepancies.map((d, i) => (
              <li key={i} className="rounded-lg bg-red-50 px-2 py-1 text-red-900">
                {d.check} · {d.subject}: {d.detail}
              </li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}
