import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link } from "react-router";
import { api, unwrap } from "../api/client";
import { Pager } from "../components/Pager";
import { Alert, Button, Card, Input, Loading, PageTitle, Select, StatusBadge } from "../components/ui";
import { lagos } from "../dates";
import { CATEGORY_WORDS } from "../products";
import { useLoad } from "../useLoad";

type Status = "initiated" | "pending" | "delivered" | "failed" | "reversed";
interface Filters {
  status: "" | Status;
  category: string;
  reference: string;
  from: string;
  to: string;
}
const EMPTY: Filters = { status: "", category: "", reference: "", from: "", to: "" };
const PAGE_SIZE = 10;

export default function History() {
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [page, setPage] = useState(1);
  const { register, handleSubmit, reset } = useForm<Filters>({ defaultValues: EMPTY });
  const { data, error, loading } = useLoad(() => {
    const query = {
      page,
      page_size: PAGE_SIZE,
      ...(filters.status ? { status: filters.status } : {}),
      ...(filters.category ? { category: filters.category } : {}),
      ...(filters.reference.trim() ? { reference: filters.reference.trim() } : {}),
      ...(filters.from ? { created_from: filters.from } : {}),
      ...(filters.to ? { created_to: filters.to } : {}),
    };
    return unwrap(api.GET("/api/v1/transactions", { params: { query } }));
  }, [filters, page]);

  const apply = handleSubmit((values) => {
    setPage(1);
    setFilters(values);
  });

  return (
    <div className="space-y-4">
      <PageTitle>History</PageTitle>
      <Card>
        <form onSubmit={apply} className="grid grid-cols-1 gap-3 sm:grid-cols-2" aria-label="Filters">
          <Select label="Status" {...register("status")}>
            <option value="">Any</option>
            {["delivered", "pending", "failed", "reversed"].map((s) => (
              <option key={s} value={s} className="capitalize">
                {s}
              </option>
            ))}
          </Select>
          <Select label="Product" {...register("category")}>
            <option value="">Any</option>
            {Object.entries(CATEGORY_WORDS).map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </Select>
          <Input label="Reference" placeholder="PL-…" autoComplete="off" {...register("reference")} />
          <div className="grid grid-cols-2 gap-2">
            <Input label="From" type="date" {...register("from")} />
            <Input label="To" type="date" {...register("to")} />
          </div>
          <div className="flex gap-2 sm:col-span-2">
            <Button type="submit">Apply</Button>
            <Button
              variant="secondary"
              onClick={() => {
                reset(EMPTY);
                setPage(1);
                setFilters(EMPTY);
              }}
            >
              Clear
            </Button>
          </div>
        </form>
      </Card>
      <Card>
        {error && <Alert>{error}</Alert>}
        {loading && !data && <Loading />}
        {data && (
          <p className="mb-2 text-sm text-slate-700" data-testid="history-summary">
            {data.total} purchase{data.total === 1 ? "" : "s"}, {data.total_amount.formatted} paid
          </p>
        )}
        {data && data.items.length === 0 && <p className="text-slate-600">No purchases match.</p>}
        <ul className="divide-y divide-slate-200">
          {data?.items.map((p) => (
            <li key={p.id}>
              <Link to={`/purchases/${p.id}`} className="flex items-center justify-between gap-3 py-3 hover:bg-slate-50">
                <div className="min-w-0">
                  <p className="truncate font-medium">{p.product}</p>
                  <p className="text-sm text-slate-600">
                    {p.reference} · {lagos(p.created_at)}
                  </p>
                </div>
                <div className="shrink-0 text-right">
                  <p className="font-semibold">{p.total.formatted}</p>
                  <StatusBadge status={p.status} />
                </div>
              </Link>
            </li>
          ))}
        </ul>
        {data && <Pager page={page} totalPages={data.total_pages} onPage={setPage} />}
      </Card>
    </div>
  );
}
