import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link, Navigate, useLocation, useNavigate } from "react-router";
import { z } from "zod";
import { api, unwrap } from "../api/client";
import { plainWords } from "../api/errors";
import { useAuth } from "../auth";
import { Alert, Button, Card, Input, PageTitle } from "../components/ui";
import { phone } from "../forms";

const schema = z.object({ phone, password: z.string().min(1, "Enter your password") });
type Values = z.infer<typeof schema>;

export function Login() {
  const { status, signIn } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<string | null>(null);
  const { register, handleSubmit, formState } = useForm<Values>({ resolver: zodResolver(schema) });
  if (status === "signed-in") return <Navigate to="/" replace />;

  const onSubmit = handleSubmit(async (values) => {
    setError(null);
    try {
      const tokens = await unwrap(api.POST("/api/v1/auth/login", { body: values }));
      await signIn(tokens.access_token);
      const from = (location.state as { from?: string } | null)?.from;
      navigate(from && from !== "/login" ? from : "/", { replace: true });
    } catch (caught) {
      setError(plainWords(caught));
    }
  });

  return (
    <div className="mx-auto max-w-md">
      <PageTitle>Log in</PageTitle>
      <Card>
        <form onSubmit={onSubmit} noValidate className="space-y-4">
          {error && <Alert>{error}</Alert>}
          <Input
            label="Phone number"
            type="tel"
            inputMode="tel"
            autoComplete="tel"
            error={formState.errors.phone?.message}
            {...register("phone")}
          />
          <Input
            label="Password"
            type="password"
            autoComplete="current-password"
            error={formState.errors.password?.message}
            {...register("password")}
          />
          <Button type="submit" busy={formState.isSubmitting} className="w-full">
            Log in
          </Button>
        </form>
      </Card>
      <p className="mt-4 text-center text-slate-700">
        New to PayLink?{" "}
        <Link to="/signup" className="font-medium text-brand-700 underline">
          Create an account
        </Link>
      </p>
    </div>
  );
}
