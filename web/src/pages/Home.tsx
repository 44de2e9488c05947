import { useState } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../api/client";
import { Pager } from "../components/Pager";
import { Alert, Card, Loading, PageTitle } from "../components/ui";
import { lagos } from "../dates";
import { useLoad } from "../useLoad";
import { useAuth } from "../auth";

const KINDS: Record<string, string> = {
  credit: "Wallet top-up",
  purchase_debit: "Purchase",
  purchase_refund: "Refund",
  funding: "Wallet funded",
  funding_reversal: "Funding taken back",
};

export default function Home() {
  const { profile } = useAuth();
  const [page, setPage] = useState(1);
  const wallet = useLoad(() => unwrap(api.GET("/api/v1/wallet")), []);
  const statement = useLoad(
    () => unwrap(api.GET("/api/v1/wallet/statement", { params: { query: { page, page_size: 10 } } })),
    [page],
  );
  return (
    <div className="space-y-4">
      <PageTitle>Hello{profile?.name ? `, ${profile.name}` : ""}</PageTitle>
      <Card>
        <p className="text-sm text-slate-600">Wallet balance</p>
        {wallet.error && <Alert>{wallet.error}</Alert>}
        <p className="text-3xl font-bold text-slate-900" data-testid="balance">
          {wallet.data ? wallet.data.balance.formatted : "…"}
        </p>
        <Link
          to="/fund"
          className="mt-3 inline-flex min-h-11 items-center rounded-xl bg-brand-700 px-4 py-2 font-medium text-white hover:bg-brand-800"
        >
          Fund wallet
        </Link>
        {profile?.pin === "not_set" && (
          <p className="mt-2 text-sm">
            <Link to="/account" className="font-medium text-brand-700 underline">
              Set your transaction PIN
            </Link>{" "}
            before your first purchase.
          </p>
        )}
        <div className="mt-4 grid grid-cols-2 gap-2 sm:grid-cols-5">
          {[
            ["airtime", "Airtime"],
            ["data", "Data"],
            ["electricity-bill", "Electricity"],
            ["tv-subscription", "TV"],
            ["education", "Exam PINs"],
          ].map(([id, name]) => (
            <Link
              key={id}
              to={`/buy/${id}`}
              className="rounded-xl border border-slate-200 bg-brand-50 px-3 py-3 text-center text-sm font-medium text-brand-800 hover:bg-brand-100"
            >
              {name}
            </Link>
          ))}
        </div>
      </Card>
      <Card title="Statement">
        {statement.error && <Alert>{statement.error}</Alert>}
        {statement.loading && !statement.data && <Loading />}
        {statement.data && statement.data.items.length === 0 && (
          <p className="text-slate-600">No money has moved yet. Fund your wallet by card or bank transfer to start buying.</p>
        )}
        <ul className="divide-y divide-slate-200">
          {statement.data?.items.map((line) => (
            <li key={line.journal_id} className="flex items-center justify-between gap-3 py-2">
              <div className="min-w-0">
                <p className="truncate font-medium">{line.memo ?? KINDS[line.kind] ?? line.kind}</p>
                <p className="text-sm text-slate-600">{lagos(line.created_at)}</p>
              </div>
              <p className={`shrink-0 font-semibold ${line.direction === "credit" ? "text-brand-700" : "text-slate-900"}`}>
                {line.direction === "credit" ? "+" : "-"}
                {line.amount.formatted}
              </p>
            </li>
          ))}
        </ul>
        {statement.data && (
          <Pager page={page} totalPages={statement.data.total_pages} onPage={setPage} />
        )}
      </Card>
    </div>
  );
}
