import { lazy, Suspense, type ReactNode } from "react";
import { BrowserRouter, Navigate, NavLink, Route, Routes, useLocation } from "react-router";
import { AuthProvider, useAuth } from "./auth";
import { Loading } from "./components/ui";
import { Login } from "./pages/Login";

// Only the login screen ships in the first load; every other screen comes when visited.
const Signup = lazy(() => import("./pages/Signup"));
const Home = lazy(() => import("./pages/Home"));
const Buy = lazy(() => import("./pages/Buy"));
const BuyService = lazy(() => import("./pages/BuyService"));
const PurchaseStatus = lazy(() => import("./pages/PurchaseStatus"));
const History = lazy(() => import("./pages/History"));
const Account = lazy(() => import("./pages/Account"));
const Operator = lazy(() => import("./pages/Operator"));
const Phone = lazy(() => import("./pages/Phone"));
const Fund = lazy(() => import("./pages/Fund"));
const FundReturn = lazy(() => import("./pages/FundReturn"));

function RequireAuth({ children, role }: { children: ReactNode; role?: "operator" }) {
  const { status, profile } = useAuth();
  const location = useLocation();
  if (status === "loading") return <Loading />;
  if (status !== "signed-in") return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  if (role === "operator" && profile?.role === "user") {
    return <p className="py-6">This page is for PayLink operators.</p>;
  }
  return <>{children}</>;
}

const linkClass = ({ isActive }: { isActive: boolean }) =>
  `rounded-lg px-3 py-2 text-sm font-medium ${isActive ? "bg-brand-700 text-white" : "text-slate-800 hover:bg-slate-200"}`;

function Shell({ children }: { children: ReactNode }) {
  const { status, profile, signOut } = useAuth();
  return (
    <div className="mx-auto flex min-h-screen max-w-3xl flex-col">
      <header className="flex flex-wrap items-center justify-between gap-2 px-4 pt-4">
        <NavLink to="/" className="text-xl font-extrabold tracking-tight text-brand-700">
          PayLink
        </NavLink>
        {status === "signed-in" && (
          <button
            type="button"
            onClick={() => void signOut()}
            className="rounded-lg px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-200"
          >
            Log out
          </button>
        )}
      </header>
      {status === "signed-in" && (
        <nav aria-label="Main" className="flex flex-wrap gap-1 px-4 pt-2">
          <NavLink to="/" end className={linkClass}>
            Wallet
          </NavLink>
          <NavLink to="/buy" className={linkClass}>
            Buy
          </NavLink>
          <NavLink to="/history" className={linkClass}>
            History
          </NavLink>
          <NavLink to="/account" className={linkClass}>
            Account
          </NavLink>
          {profile && profile.role !== "user" && (
            <NavLink to="/operator" className={linkClass}>
              Operator
            </NavLink>
          )}
        </nav>
      )}
      <main className="flex-1 px-4 py-4">{children}</main>
      <footer className="px-4 pb-6 text-center text-sm text-slate-600">
        <NavLink to="/phone" className="underline">
          Try the USSD phone
        </NavLink>
      </footer>
    </div>
  );
}

function Private({ children, role }: { children: ReactNode; role?: "operator" }) {
  return (
    <RequireAuth {...(role ? { role } : {})}>
      <Suspense fallback={<Loading />}>{children}</Suspense>
    </RequireAuth>
  );
}

export function AppRoutes() {
  return (
    <Routes>
      <Route
        path="/phone"
        element={
          <Suspense fallback={<Loading />}>
            <Phone />
          </Suspense>
        }
      />
      <Route
        path="*"
        element={
          <Shell>
            <Routes>
              <Route path="/login" element={<Login />} />
              <Route
                path="/signup"
                element={
                  <Suspense fallback={<Loading />}>
                    <Signup />
                  </Suspense>
                }
              />
              <Route path="/" element={<Private><Home /></Private>} />
              <Route path="/buy" element={<Private><Buy /></Private>} />
              <Route path="/buy/:category" element={<Private><Buy /></Private>} />
              <Route path="/buy/:category/:serviceId" element={<Private><BuyService /></Private>} />
              <Route path="/purchases/:id" element={<Private><PurchaseStatus /></Private>} />
              <Route path="/fund" element={<Private><Fund /></Private>} />
              <Route path="/fund/return" element={<Private><FundReturn /></Private>} />
              <Route path="/history" element={<Private><History /></Private>} />
              <Route path="/account" element={<Private><Account /></Private>} />
              <Route path="/operator" element={<Private role="operator"><Operator /></Private>} />
              <Route path="*" element={<p className="py-6">This page does not exist.</p>} />
            </Routes>
          </Shell>
        }
      />
    </Routes>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <AuthProvider>
        <AppRoutes />
      </AuthProvider>
    </BrowserRouter>
  );
}
