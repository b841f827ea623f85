/**
 * The Hyper-V host under a source gateway VM: PowerShell that hands the tenant's VLAN to the
 * gateway VM's LAN adapter and turns on MAC address spoofing there (the gateway bridges frames
 * from other MACs, which Hyper-V drops otherwise). Cmdlets and parameters as in Microsoft's
 * Hyper-V module reference (Set-VMNetworkAdapterVlan -Trunk/-Access/-Untagged,
 * Set-VMNetworkAdapter -MacAddressSpoofing).
 *
 * The VLAN mode follows what the gateway expects on that NIC (GatewayEndpoint.lanTagged):
 * tagged means a trunk carrying the one VLAN, untagged means an access port in that VLAN. A
 * trunk toward a gateway that bridges an untagged NIC would put tagged frames into the tunnel.
 *
 * Both scripts check the current settings first, so running them again changes nothing.
 */
import { headerLines } from "../header";
import { type GatewayContext, type GatewayTarget } from "../types";

const DEFAULT_ADAPTER = "LAN";

/**
 * A PowerShell single-quoted string literal. Inside one, only quote characters are special, and
 * PowerShell counts the typographic single quotes (U+2018–U+201B) as quotes too: each is doubled.
 * The allow-listed values never hold one; this keeps that true of the script whatever comes in.
 */
export function psQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (quote) => quote + quote)}'`;
}

function fileBase(context: GatewayContext) {
  return `source/hyperv/bh-${context.tenant.slug}-t${context.tunnel.ordinal}`;
}

function prologue(context: GatewayContext, title: string, apply: string[], undo: string[]): string[] {
  const source = context.tunnel.source;
  return [
    ...headerLines(context, { comment: "#", title, apply, undo }),
    "",
    "#Requires -RunAsAdministrator",
    "#Requires -Modules Hyper-V",
    "",
    "[CmdletBinding()]",
    "param(",
    "    # The gateway VM and its LAN adapter as Hyper-V names them: pass others if yours differ.",
    `    [string] $VMName = ${psQuote(source.hostname)},`,
    `    [string] $AdapterName = ${psQuote(source.lanInterface ?? DEFAULT_ADAPTER)}`,
    ")",
    "",
    "$ErrorActionPreference = 'Stop'",
    "Set-StrictMode -Version Latest",
    "",
    "$adapter = @(Get-VMNetworkAdapter -VMName $VMName -Name $AdapterName)",
    "if ($adapter.Count -ne 1) {",
    '    throw "VM $VMName has $($adapter.Count) network adapters named $AdapterName; expected one. Pass -VMName and -AdapterName."',
    "}",
    "$vlan = Get-VMNetworkAdapterVlan -VMNetworkAdapter $adapter[0]",
    "",
  ];
}

function vlanSteps(context: GatewayContext): string[] {
  const vlan = context.tenant.vlanId;
  if (context.tunnel.source.lanTagged) {
    return [
      `# The gateway takes VLAN ${vlan} tagged: a trunk that carries it and nothing else (NativeVlanId 0: no untagged VLAN).`,
      `if ($vlan.OperationMode -eq 'Trunk' -and $vlan.AllowedVlanIdListString -eq '${vlan}' -and $vlan.NativeVlanId -eq 0) {`,
      `    Write-Host "VLAN: already a trunk carrying VLAN ${vlan}."`,
      "} else {",
      `    Set-VMNetworkAdapterVlan -VMName $VMName -VMNetworkAdapterName $AdapterName -Trunk -AllowedVlanIdList '${vlan}' -NativeVlanId 0`,
      `    Write-Host "VLAN: trunk carrying VLAN ${vlan} (was $($vlan.OperationMode))."`,
      "}",
    ];
  }
  return [
    `# The gateway takes VLAN ${vlan} untagged: an access port in that VLAN (Hyper-V adds and removes the tag).`,
    `if ($vlan.OperationMode -eq 'Access' -and $vlan.AccessVlanId -eq ${vlan}) {`,
    `    Write-Host "VLAN: already an access port in VLAN ${vlan}."`,
    "} else {",
    `    Set-VMNetworkAdapterVlan -VMName $VMName -VMNetworkAdapterName $AdapterName -Access -VlanId ${vlan}`,
    `    Write-Host "VLAN: access port in VLAN ${vlan} (was $($vlan.OperationMode))."`,
    "}",
  ];
}

function renderApply(context: GatewayContext): string {
  const { tenant, tunnel } = context;
  const file = `bh-${tenant.slug}-t${tunnel.ordinal}`;
  const mode = tunnel.source.lanTagged ? `a trunk carrying VLAN ${tenant.vlanId}` : `an access port in VLAN ${tenant.vlanId}`;
  return [
    ...prologue(
      context,
      `Hyper-V host: the gateway VM's LAN adapter as ${mode}, MAC address spoofing on`,
      [`on the Hyper-V host, in an elevated PowerShell: .\\${file}-vlan.ps1`, `other VM or adapter names: .\\${file}-vlan.ps1 -VMName <vm> -AdapterName <adapter>`],
      [`.\\${file}-vlan-undo.ps1 (same -VMName and -AdapterName)`],
    ),
    ...vlanSteps(context),
    "",
    "# The gateway bridges the tenant's machines, so it sends frames from their MACs: Hyper-V drops those unless spoofing is allowed.",
    "if ($adapter[0].MacAddressSpoofing -eq 'On') {",
    '    Write-Host "MAC address spoofing: already on."',
    "} else {",
    "    Set-VMNetworkAdapter -VMName $VMName -Name $AdapterName -MacAddressSpoofing On",
    '    Write-Host "MAC address spoofing: on."',
    "}",
    "",
    "# Hyper-V's switch has no storm control and runs no spanning tree (BPDUs pass as frames): the gateway VM's",
    "# tunnel guard limits flooding into the tunnel and drops BPDUs there, and the AVS edge bridge does the same.",
    ...pairSteps(context),
    "",
  ].join("\n");
}

/**
 * The pair's two gateway VMs must not share a host: one host failure would take both tunnels.
 * On a failover cluster an anti-affinity class keeps them apart; on a lone host, say so.
 */
function pairSteps(context: GatewayContext): string[] {
  if (!context.pair) return [];
  const { partner } = context.pair;
  const role = context.tunnel.ordinal === 1 ? "primary" : "standby";
  const className = `bridgehead-${context.tenant.slug}-pair`;
  return [
    "",
    `# The active/standby pair: this gateway VM (tunnel ${context.tunnel.ordinal}, the ${role}) and ${partner.sourceHostname} (tunnel ${partner.ordinal}) elect the`,
    "# active tunnel by VRRP on the tenant's VLAN (multicast 224.0.0.18, which this switch passes as it is). Run this script",
    `# for both VMs: the same anti-affinity class keeps a failover cluster from placing them on one host.`,
    "if (Get-Command -Name Get-ClusterGroup -ErrorAction SilentlyContinue) {",
    "    $group = Get-ClusterGroup -Name $VMName -ErrorAction SilentlyContinue",
    "    if ($null -eq $group) {",
    '        Write-Host "Anti-affinity: $VMName is not a clustered role; keep it on another host than its partner by hand."',
    `    } elseif ($group.AntiAffinityClassNames -contains ${psQuote(className)}) {`,
    '        Write-Host "Anti-affinity: already set."',
    "    } else {",
    "        $classes = New-Object System.Collections.Specialized.StringCollection",
    "        foreach ($name in $group.AntiAffinityClassNames) { [void]$classes.Add($name) }",
    `        [void]$classes.Add(${psQuote(className)})`,
    "        $group.AntiAffinityClassNames = $classes",
    `        Write-Host "Anti-affinity: ${className}."`,
    "    }",
    "} else {",
    `    Write-Host "Not a failover cluster: keep $VMName and ${partner.sourceHostname} on different hosts."`,
    "}",
  ];
}

function renderUndo(context: GatewayContext): string {
  const { tenant, tunnel } = context;
  const file = `bh-${tenant.slug}-t${tunnel.ordinal}`;
  return [
    ...prologue(
      context,
      "Hyper-V host: the gateway VM's LAN adapter back to untagged, MAC address spoofing off (undo)",
      [`.\\${file}-vlan.ps1`],
      [`on the Hyper-V host, in an elevated PowerShell: .\\${file}-vlan-undo.ps1 (same -VMName and -AdapterName)`],
    ),
    "# Back to Hyper-V's defaults for a new adapter: untagged access, no spoofing. Settings the adapter had before",
    "# the apply script ran are not known here; set them again by hand if they differed.",
    "if ($vlan.OperationMode -eq 'Untagged') {",
    '    Write-Host "VLAN: already untagged."',
    "} else {",
    "    Set-VMNetworkAdapterVlan -VMName $VMName -VMNetworkAdapterName $AdapterName -Untagged",
    '    Write-Host "VLAN: untagged (was $($vlan.OperationMode))."',
    "}",
    "",
    "if ($adapter[0].MacAddressSpoofing -eq 'Off') {",
    '    Write-Host "MAC address spoofing: already off."',
    "} else {",
    "    Set-VMNetworkAdapter -VMName $VMName -Name $AdapterName -MacAddressSpoofing Off",
    '    Write-Host "MAC address spoofing: off."',
    "}",
    "",
  ].join("\n");
}

export const hypervPowershellTarget: GatewayTarget = {
  id: "hyperv-powershell",
  label: "Hyper-V host (PowerShell)",
  role: "hypervisor",
  sides: ["source"],
  summary: "On the Hyper-V host under the source gateway VM: run the script to hand the tenant's VLAN to the gateway's LAN adapter and allow MAC spoofing.",
  applyOrder: 10,
  appliesTo: (context) => context.tenant.sourceEnvironment === "hyper-v",
  generate(context) {
    const base = fileBase(context);
    return [
      { path: `${base}-vlan.ps1`, contents: renderApply(context), mode: 0o755 },
      { path: `${base}-vlan-undo.ps1`, contents: renderUndo(context), mode: 0o755 },
    ];
  },
};
