import type { Metadata } from "next";
import { DisplayConnect } from "@/components/noc/display-connect";

export const metadata: Metadata = { title: "Connect display" };

export default function DisplayConnectPage() {
  return <DisplayConnect />;
}
