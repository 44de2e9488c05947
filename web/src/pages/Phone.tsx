import { useCallback, useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { Alert, Button, Input } from "../components/ui";
import { lagos } from "../dates";
import { hop, splitCode } from "../ussd";

const DEFAULT_CODE = "*347*88#";
const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

interface Session {
  id: string;
  serviceCode: string;
  answers: string[];
}

function sessionId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return `ATUid_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export default function Phone() {
  const [phone, setPhone] = useState("08011111111");
  const [tab, setTab] = useState<"phone" | "sms">("phone");
  return (
    <div className="mx-auto flex min-h-screen max-w-md flex-col px-4 py-4">
      <header className="mb-3 flex items-center justify-between">
        <Link to="/" className="text-xl font-extrabold text-brand-700">
          PayLink
        </Link>
        <span className="text-sm text-slate-700">Feature phone demo</span>
      </header>
      <main className="space-y-4">
        <h1 className="text-2xl font-bold">Phone</h1>
        <Input label="This phone's number" type="tel" inputMode="tel" value={phone} onChange={(e) => setPhone(e.target.value)} />
        <div role="tablist" aria-label="Phone apps" className="grid grid-cols-2 gap-2">
          {(["phone", "sms"] as const).map((name) => (
            <button
              key={name}
              role="tab"
              type="button"
              id={`tab-${name}`}
              aria-selected={tab === name}
              aria-controls={`panel-${name}`}
              onClick={() => setTab(name)}
              className={`min-h-11 rounded-xl font-medium ${tab === name ? "bg-brand-700 text-white" : "border border-slate-300 bg-white text-slate-900"}`}
            >
              {name === "phone" ? "Dial" : "Messages"}
            </button>
          ))}
        </div>
        <section role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
          {tab === "phone" ? <Dialler phone={phone} /> : <Messages phone={phone} />}
        </section>
      </main>
    </div>
  );
}

function Dialler({ phone }: { phone: string }) {
  const [typed, setTyped] = useState(DEFAULT_CODE);
  const [screen, setScreen] = useState("Dial *347*88# and press Call.");
  const [session, setSession] = useState<Session | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const send = useCallback(
    async (next: Session) => {
      setBusy(true);
      setError(null);
      try {
        const reply = await hop({ sessionId: next.id, serviceCode: next.serviceCode, phoneNumber: phone, answers: next.answers });
        setScreen(reply.text);
        setSession(reply.goesOn ? next : null);
        setTyped(reply.goesOn ? "" : DEFAULT_CODE);
      } catch (caught) {
        setError(caught instanceof Error ? caught.message : "The network did not answer.");
        setSession(null);
      } finally {
        setBusy(false);
        input.current?.focus();
      }
    },
    [phone],
  );

  const call = () => {
    if (session) {
      void send({ ...session, answers: [...session.answers, typed] });
      return;
    }
    if (!/^\*\d+(\*\d+)*#$/.test(typed)) {
      setError("Dial a code like *347*88#.");
      return;
    }
    const { serviceCode, first } = splitCode(typed);
    void send({ id: sessionId(), serviceCode, answers: first });
  };

  const hangUp = () => {
    setSession(null);
    setTyped(DEFAULT_CODE);
    setScreen("Dial *347*88# and press Call.");
  };

  return (
    <div className="rounded-[2rem] border-4 border-slate-800 bg-slate-800 p-3 shadow-lg">
      <div
        className="mb-3 min-h-48 rounded-xl bg-lime-100 p-3 font-mono text-sm whitespace-pre-wrap text-slate-900"
        role="log"
        aria-live="polite"
        aria-label="Phone screen"
        data-testid="screen"
      >
        {busy ? "USSD code running…" : screen}
      </div>
      {error && (
        <div className="mb-3">
          <Alert>{error}</Alert>
        </div>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          call();
        }}
        className="space-y-3"
      >
        <label htmlFor="phone-input" className="sr-only">
          {session ? "Your answer" : "Number to dial"}
        </label>
        <input
          id="phone-input"
          ref={input}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          inputMode="tel"
          className="block w-full rounded-xl border border-slate-600 bg-slate-900 px-3 py-2 text-center font-mono text-xl text-white"
        />
        <div className="grid grid-cols-3 gap-2" aria-label="Keypad">
          {KEYS.map((key) => (
            <button
              key={key}
              type="button"
              onClick={() => setTyped((t) => t + key)}
              className="min-h-12 rounded-xl bg-slate-700 text-xl font-semibold text-white hover:bg-slate-600"
              aria-label={`Key ${key}`}
            >
              {key}
            </button>
          ))}
        </div>
        <div className="grid grid-cols-3 gap-2">
          <Button type="submit" busy={busy} className="bg-green-700 hover:bg-green-800">
            {session ? "Send" : "Call"}
          </Button>
          <button
            type="button"
            onClick={() => setTyped((t) => t.slice(0, -1))}
            className="min-h-11 rounded-xl bg-slate-600 font-medium text-white hover:bg-slate-500"
          >
            Delete
          </button>
          <Button variant="danger" onClick={hangUp}>
            Hang up
          </Button>
        </div>
      </form>
    </div>
  );
}

interface Message {
  id: number;
  body: string;
  created_at: string;
}

function Messages({ phone }: { phone: string }) {
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const response = await fetch(`/demo/outbox?phone=${encodeURIComponent(phone)}`);
      if (response.status === 404) {
        setError("Messages are shown only on the embedded demo gateway.");
        return;
      }
      if (!response.ok) {
        setError("Enter this phone's number to see its messages.");
        return;
      }
      setMessages(((await response.json()) as { items: Message[] }).items);
      setError(null);
    } catch {
      setError("PayLink cannot be reached.");
    }
  }, [phone]);

  useEffect(() => {
    void load();
    const timer = window.setInterval(() => void load(), 3000);
    return () => window.clearInterval(timer);
  }, [load]);

  return (
    <div className="space-y-3">
      {error && <Alert>{error}</Alert>}
      {messages && messages.length === 0 && <p className="text-slate-700">No messages yet.</p>}
      <ul className="space-y-2" aria-label="Messages" data-testid="messages">
        {messages?.map((m) => (
          <li key={m.id} className="rounded-2xl bg-white p-3 shadow-sm">
            <p className="text-xs font-medium text-slate-600">PayLink · {lagos(m.created_at)}</p>
            <p className="whitespace-pre-wrap break-words">{m.body}</p>
          </li>
        ))}
      </ul>
    </div>
  );
}
