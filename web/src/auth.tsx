import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, unwrap, whenSessionLost, type Schemas } from "./api/client";
import { refreshSession, setAccessToken } from "./api/session";

type Profile = Schemas["ProfileOut"];

interface Auth {
  status: "loading" | "anonymous" | "signed-in";
  profile: Profile | null;
  /** Store a new access token (login, sign-up) and load the profile. */
  signIn: (accessToken: string) => Promise<void>;
  signOut: () => Promise<void>;
  reloadProfile: () => Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Auth["status"]>("loading");
  const [profile, setProfile] = useState<Profile | null>(null);

  const reloadProfile = useCallback(async () => {
    const me = await unwrap(api.GET("/api/v1/me"));
    setProfile(me);
    setStatus("signed-in");
  }, []);

  const signIn = useCallback(
    async (accessToken: string) => {
      setAccessToken(accessToken);
      await reloadProfile();
    },
    [reloadProfile],
  );

  const signOut = useCallback(async () => {
    try {
      await api.POST("/api/v1/auth/logout", { body: {} });
    } finally {
      setAccessToken(null);
      setProfile(null);
      setStatus("anonymous");
    }
  }, []);

  useEffect(() => {
    whenSessionLost(() => {
      setAccessToken(null);
      setProfile(null);
      setStatus("anonymous");
    });
    // a reload keeps the session: the refresh cookie survives, the access token did not
    void refreshSession().then(async (ok) => {
      if (!ok) {
        setStatus("anonymous");
        return;
      }
      try {
        await reloadProfile();
      } catch {
        setStatus("anonymous");
      }
    });
  }, [reloadProfile]);

  const value = useMemo(
    () => ({ status, profile, signIn, signOut, reloadProfile }),
    [status, profile, signIn, signOut, reloadProfile],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside AuthProvider");
  return auth;
}
