import { Link, useParams } from "react-router";
import { api, unwrap } from "../api/client";
import { Alert, Loading, PageTitle } from "../components/ui";
import { CATEGORY_WORDS } from "../products";
import { useLoad } from "../useLoad";

export default function Buy() {
  const { category } = useParams();
  return category ? <Services category={category} /> : <Categories />;
}

function Categories() {
  const { data, error } = useLoad(() => unwrap(api.GET("/api/v1/catalogue/categories")), []);
  return (
    <div>
      <PageTitle>Buy</PageTitle>
      {error && <Alert>{error}</Alert>}
      {!data && !error && <Loading />}
      <ul className="grid grid-cols-1 gap-2 sm:grid-cols-2">
        {data?.items.map((item) => (
          <li key={item.identifier}>
            <Link
              to={`/buy/${item.identifier}`}
              className="block rounded-2xl border border-slate-200 bg-white p-4 font-medium shadow-sm hover:border-brand-600"
            >
              {CATEGORY_WORDS[item.identifier] ?? item.name}
              <span className="block text-sm font-normal text-slate-600">{item.name}</span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Services({ category }: { category: string }) {
  const { data, error } = useLoad(
    () => unwrap(api.GET("/api/v1/catalogue/categories/{category}/services", { params: { path: { category } } })),
    [category],
  );
  return (
    <div>
      <PageTitle>{CATEGORY_WORDS[category] ?? "Buy"}</PageTitle>
      <p className="mb-3">
        <Link to="/buy" className="text-brand-700 underline">
          All products
        </Link>
      </p>
      {error && <Alert>{error}</Alert>}
      {!data && !error && <Loading />}
      <ul className="grid grid-cols-1 gap-2 sm:grid-cols-2">
        {data?.items.map((service) => (
          <li key={service.service_id}>
            <Link
              to={`/buy/${category}/${service.service_id}`}
              className="block rounded-2xl border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-600"
            >
              <span className="font-medium">{service.name}</span>
              <span className="block text-sm text-slate-600">Fee: {service.convenience_fee}</span>
            </Link>
          </li>
        ))}
      </ul>
      {data && data.items.length === 0 && <p>Nothing to buy here right now.</p>}
    </div>
  );
}
