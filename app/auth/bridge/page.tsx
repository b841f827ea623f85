import { RedirectBridge } from "@/components/auth/redirect-bridge";

/** Where the identity provider sends the browser back; MSAL v5 hands the response on from here. */
export default function RedirectBridgePage() {
  return <RedirectBridge />;
}
