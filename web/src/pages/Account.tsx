import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { useLocation } from "react-router";
import { z } from "zod";
import { api, unwrap } from "../api/client";
import { plainWords } from "../api/errors";
import { useAuth } from "../auth";
import { Alert, Button, Card, Input, PageTitle } from "../components/ui";
import { code, pin } from "../forms";
import { useLoad } from "../useLoad";

export default function Account() {
  const { profile } = useAuth();
  const welcome = (useLocation().state as { welcome?: boolean } | null)?.welcome;
  if (!profile) return null;
  return (
    <div className="space-y-4">
      <PageTitle>Account</PageTitle>
      {welcome && <Alert kind="success">Welcome to PayLink! Set a transaction PIN to start buying.</Alert>}
      <Card title="You">
        <dl className="space-y-1">
          <div className="flex justify-between gap-3">
            <dt className="text-slate-700">Name</dt>
            <dd>{profile.name ?? "—"}</dd>
          </div>
          <div className="flex justify-between gap-3">
            <dt className="text-slate-700">Phone</dt>
            <dd>{profile.phone.replace(/^\+234/, "0")}</dd>
          </div>
          <div className="flex justify-between gap-3">
            <dt className="text-slate-700">Transaction PIN</dt>
            <dd data-testid="pin-state">{{ set: "Set", not_set: "Not set", locked: "Locked" }[profile.pin]}</dd>
          </div>
        </dl>
      </Card>
      <PinCard />
      <ResetCard />
      <SmsCard />
    </div>
  );
}

const pinForm = z
  .object({ current: z.string(), pin, again: z.string() })
  .refine((v) => v.pin === v.again, { message: "The PINs differ", path: ["again"] });

function PinCard() {
  const { profile, reloadProfile } = useAuth();
  const hasPin = profile?.pin !== "not_set";
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const { register, handleSubmit, formState, reset } = useForm<z.infer<typeof pinForm>>({
    resolver: zodResolver(pinForm),
    defaultValues: { current: "", pin: "", again: "" },
  });
  const onSubmit = handleSubmit(async (values) => {
    setMessage(null);
    try {
      const body = hasPin ? { pin: values.pin, current_pin: values.current } : { pin: values.pin };
      await unwrap(api.PUT("/api/v1/me/pin", { body }));
      reset();
      await reloadProfile();
      setMessage({ kind: "success", text: hasPin ? "Your PIN was changed." : "Your PIN is set. You can buy now." });
    } catch (caught) {
      setMessage({ kind: "error", text: plainWords(caught) });
    }
  });
  return (
    <Card title={hasPin ? "Change your PIN" : "Set your transaction PIN"}>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        {message && <Alert kind={message.kind}>{message.text}</Alert>}
        {hasPin && (
          <Input label="Current PIN" type="password" inputMode="numeric" maxLength={4} autoComplete="off" {...register("current")} />
        )}
        <Input
          label="New PIN"
          type="password"
          inputMode="numeric"
          maxLength={4}
          autoComplete="off"
          hint="4 digits, not easy to guess (no 1234 or 0000). The same PIN works on USSD."
          error={formState.errors.pin?.message}
          {...register("pin")}
        />
        <Input
          label="New PIN again"
          type="password"
          inputMode="numeric"
          maxLength={4}
          autoComplete="off"
          error={formState.errors.again?.message}
          {...register("again")}
        />
        <Button type="submit" busy={formState.isSubmitting}>
          {hasPin ? "Change PIN" : "Set PIN"}
        </Button>
      </form>
    </Card>
  );
}

const resetWithPassword = z.object({ password: z.string().min(1, "Enter your password"), pin });
const resetWithCode = z.object({ code, pin });

function ResetCard() {
  const { profile, reloadProfile } = useAuth();
  const [way, setWay] = useState<"password" | "code">("password");
  const [codeSent, setCodeSent] = useState(false);
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const byPassword = useForm<z.infer<typeof resetWithPassword>>({ resolver: zodResolver(resetWithPassword) });
  const byCode = useForm<z.infer<typeof resetWithCode>>({ resolver: zodResolver(resetWithCode) });
  if (profile?.pin === "not_set") return null;

  const done = async () => {
    await reloadProfile();
    setMessage({ kind: "success", text: "Your new PIN is set and any lock is lifted." });
  };
  const submitPassword = byPassword.handleSubmit(async (values) => {
    setMessage(null);
    try {
      await unwrap(api.POST("/api/v1/me/pin/reset", { body: values }));
      byPassword.reset();
      await done();
    } catch (caught) {
      setMessage({ kind: "error", text: plainWords(caught) });
    }
  });
  const sendCode = async () => {
    setMessage(null);
    try {
      await unwrap(api.POST("/api/v1/me/pin/reset/request"));
      setCodeSent(true);
    } catch (caught) {
      setMessage({ kind: "error", text: plainWords(caught) });
    }
  };
  const submitCode = byCode.handleSubmit(async (values) => {
    setMessage(null);
    try {
      await unwrap(api.POST("/api/v1/me/pin/reset/confirm", { body: values }));
      byCode.reset();
      setCodeSent(false);
      await done();
    } catch (caught) {
      setMessage({ kind: "error", text: plainWords(caught) });
    }
  });

  return (
    <Card title="Forgot your PIN?">
      <div role="group" aria-label="How to reset" className="mb-4 flex gap-2">
        <Button variant={way === "password" ? "primary" : "secondary"} aria-pressed={way === "password"} onClick={() => setWay("password")}>
          With my password
        </Button>
        <Button variant={way === "code" ? "primary" : "secondary"} aria-pressed={way === "code"} onClick={() => setWay("code")}>
          With an SMS code
        </Button>
      </div>
      {message && <div className="mb-3"><Alert kind={message.kind}>{message.text}</Alert></div>}
      {way === "password" ? (
        <form onSubmit={submitPassword} noValidate className="space-y-4">
          <Input label="Password" type="password" autoComplete="current-password" error={byPassword.formState.errors.password?.message} {...byPassword.register("password")} />
          <Input label="New PIN" type="password" inputMode="numeric" maxLength={4} autoComplete="off" error={byPassword.formState.errors.pin?.message} {...byPassword.register("pin")} />
          <Button type="submit" busy={byPassword.formState.isSubmitting}>Reset PIN</Button>
        </form>
      ) : !codeSent ? (
        <Button onClick={() => void sendCode()}>Text me a code</Button>
      ) : (
        <form onSubmit={submitCode} noValidate className="space-y-4">
          <Input label="Code from the SMS" inputMode="numeric" maxLength={6} autoComplete="one-time-code" error={byCode.formState.errors.code?.message} {...byCode.register("code")} />
          <Input label="New PIN" type="password" inputMode="numeric" maxLength={4} autoComplete="off" error={byCode.formState.errors.pin?.message} {...byCode.register("pin")} />
          <Button type="submit" busy={byCode.formState.isSubmitting}>Reset PIN</Button>
        </form>
      )}
    </Card>
  );
}

const smsForm = z.object({ pin });

function SmsCard() {
  const { profile } = useAuth();
  const settings = useLoad(() => unwrap(api.GET("/api/v1/me/sms")), []);
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const { register, handleSubmit, formState, reset } = useForm<z.infer<typeof smsForm>>({ resolver: zodResolver(smsForm) });
  if (profile?.pin === "not_set") return null;
  const on = settings.data?.purchases ?? false;
  const onSubmit = handleSubmit(async (values) => {
    setMessage(null);
    try {
      await unwrap(api.PUT("/api/v1/me/sms/purchases", { body: { enabled: !on, pin: values.pin } }));
      reset();
      await settings.reload();
      setMessage({ kind: "success", text: on ? "Purchases by SMS are off." : "Purchases by SMS are on." });
    } catch (caught) {
      setMessage({ kind: "error", text: plainWords(caught) });
    }
  });
  return (
    <Card title="Purchases by SMS">
      <p className="mb-3 text-slate-800" data-testid="sms-state">
        {settings.data ? (on ? "On: text commands like AIRTIME 500 can buy, each confirmed with your PIN." : "Off: text commands cannot buy.") : "…"}
      </p>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        {message && <Alert kind={message.kind}>{message.text}</Alert>}
        <Input label="Transaction PIN" type="password" inputMode="numeric" maxLength={4} autoComplete="off" error={formState.errors.pin?.message} {...register("pin")} />
        <Button type="submit" busy={formState.isSubmitting} disabled={!settings.data}>
          {on ? "Turn off" : "Turn on"}
        </Button>
      </form>
    </Card>
  );
}
