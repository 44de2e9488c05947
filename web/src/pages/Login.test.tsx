import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AuthProvider } from "../auth";
import { Login } from "./Login";

afterEach(() => vi.restoreAllMocks());

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function renderLogin() {
  return render(
    <MemoryRouter initialEntries={["/login"]}>
      <AuthProvider>
        <Login />
      </AuthProvider>
    </MemoryRouter>,
  );
}

describe("Login", () => {
  it("labels every field and names its button", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValue(json(401, { error: { code: "invalid_token", message: "" } }));
    renderLogin();

    expect(await screen.findByLabelText("Phone number")).toBeInTheDocument();
    expect(screen.getByLabelText("Password")).toHaveAttribute("type", "password");
    expect(screen.getByRole("button", { name: "Log in" })).toBeInTheDocument();
  });

  it("refuses a number that is not a Nigerian mobile before asking the API", async () => {
    const user = userEvent.setup();
    const fetchMock = vi.spyOn(globalThis, "fetch").mockResolvedValue(json(401, { error: { code: "invalid_token", message: "" } }));
    renderLogin();

    await user.type(await screen.findByLabelText("Phone number"), "12345");
    await user.type(screen.getByLabelText("Password"), "secret words");
    await user.click(screen.getByRole("button", { name: "Log in" }));

    expect(await screen.findByText(/Enter a Nigerian mobile number/)).toBeInTheDocument();
    expect(screen.getByLabelText("Phone number")).toHaveAttribute("aria-invalid", "true");
    expect(fetchMock.mock.calls.some(([input]) => String(input instanceof Request ? input.url : input).includes("/auth/login"))).toBe(false);
  });

  it("says wrong credentials in plain words", async () => {
    const user = userEvent.setup();
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      const target = input instanceof Request ? input.url : String(input);
      if (target.includes("/auth/login")) {
        return json(401, { error: { code: "invalid_credentials", message: "wrong phone, email or password" } });
      }
      return json(401, { error: { code: "invalid_token", message: "" } });
    });
    renderLogin();

    await user.type(await screen.findByLabelText("Phone number"), "08031234567");
    await user.type(screen.getByLabelText("Password"), "secret words");
    await user.click(screen.getByRole("button", { name: "Log in" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("The phone number or password is not right.");
  });
});
