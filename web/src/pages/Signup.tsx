import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link, useNavigate } from "react-router";
import { z } from "zod";
import { api, unwrap } from "../api/client";
import { plainWords } from "../api/errors";
import { useAuth } from "../auth";
import { Alert, Button, Card, Input, PageTitle } from "../components/ui";
import { code, password, phone } from "../forms";

const details = z
  .object({
    name: z.string().trim().min(1, "Enter your name").max(100),
    phone,
    password,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { message: "The passwords differ", path: ["confirm"] });
const verification = z.object({ code });

type Pending = { phone: string; registrationId: string };

export default function Signup() {
  const [pending, setPending] = useState<Pending | null>(null);
  return (
    <div className="mx-auto max-w-md">
      <PageTitle>Create your account</PageTitle>
      {pending ? <VerifyStep pending={pending} /> : <DetailsStep onSent={setPending} />}
      <p className="mt-4 text-center text-slate-700">
        Already with PayLink?{" "}
        <Link to="/login" className="font-medium text-brand-700 underline">
          Log in
        </Link>
      </p>
    </div>
  );
}

function DetailsStep({ onSent }: { onSent: (pending: Pending) => void }) {
  const [error, setError] = useState<string | null>(null);
  const { register, handleSubmit, formState } = useForm<z.infer<typeof details>>({
    resolver: zodResolver(details),
  });
  const onSubmit = handleSubmit(async ({ name, phone: number, password: secret }) => {
    setError(null);
    try {
      const opened = await unwrap(
        api.POST("/api/v1/auth/register", { body: { name, phone: number, password: secret } }),
      );
      onSent({ phone: number, registrationId: opened.registration_id });
    } catch (caught) {
      setError(plainWords(caught));
    }
  });
  return (
    <Card>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        {error && <Alert>{error}</Alert>}
        <Input label="Your name" autoComplete="name" error={formState.errors.name?.message} {...register("name")} />
        <Input
          label="Phone number"
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          hint="We text a 6-digit code to this phone."
          error={formState.errors.phone?.message}
          {...register("phone")}
        />
        <Input
          label="Password"
          type="password"
          autoComplete="new-password"
          hint="At least 8 characters."
          error={formState.errors.password?.message}
          {...register("password")}
        />
        <Input
          label="Password again"
          type="password"
          autoComplete="new-password"
          error={formState.errors.confirm?.message}
          {...register("confirm")}
        />
        <Button type="submit" busy={formState.isSubmitting} className="w-full">
          Send me the code
        </Button>
      </form>
    </Card>
  );
}

function VerifyStep({ pending }: { pending: Pending }) {
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const { register, handleSubmit, formState } = useForm<z.infer<typeof verification>>({
    resolver: zodResolver(verification),
  });
  const onSubmit = handleSubmit(async (values) => {
    setError(null);
    try {
      const tokens = await unwrap(
        api.POST("/api/v1/auth/verify-phone", {
          body: { phone: pending.phone, code: values.code, registration_id: pending.registrationId },
        }),
      );
      await signIn(tokens.access_token);
      navigate("/account", { replace: true, state: { welcome: true } });
    } catch (caught) {
      setError(plainWords(caught));
    }
  });
  return (
    <Card title="Check your SMS">
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <Alert kind="info">We sent a 6-digit code to {pending.phone}. It works for 10 minutes.</Alert>
        {error && <Alert>{error}</Alert>}
        <Input
          label="Code from the SMS"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          error={formState.errors.code?.message}
          {...register("code")}
        />
        <Button type="submit" busy={formState.isSubmitting} className="w-full">
          Confirm
        </Button>
      </form>
    </Card>
  );
}
