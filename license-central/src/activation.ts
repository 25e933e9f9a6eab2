/**
 * The activation state machine. An activation is keyed by its idempotency key and goes
 *   (none) -> pending -> active -> deactivated
 * `pending` is written together with the ticket lock in one transaction; the FSB signs outside any
 * transaction (requestId = idempotency key, so a retry gets the same signature); `active` is written with
 * its usage event in a second transaction. A failed signing removes the pending row (the ticket is
 * available again); a pending row older than pendingTakeoverMs (its line died) is completed by the next
 * request with the same key.
 */
import * as crypto from "crypto";
import type { Conn } from "./db";
import type { FsbClient, FsbSignedUpdate } from "./fsbClient";
import { HttpError } from "./httpErrors";
import type { LcMetrics } from "./metrics";
import type { Outcome } from "./outcome";
import type { QuotaPolicy, WarnLog } from "./quota";
import type { ActivationRow, LcStore } from "./store";
import { unknownTicket } from "./tickets";
import { monthOf, TICKET_PATTERN, TicketItem } from "./validation";

export interface ActivationRequest {
  container: string;
  idempotencyKey: string;
}

export interface ActivationResult extends FsbSignedUpdate {
  ticket: string;
  container: string;
  idempotencyKey: string;
  activatedAt: string;
}

export interface DeactivationReceipt {
  receiptId: string;
  ticket: string;
  container: string;
  idempotencyKey: string;
  activatedAt: string | null;
  deactivatedAt: string;
}

export interface ActivationTimings {
  /** How long a request waits for a concurrent request with the same idempotency key before answering 409. */
  pendingWaitMs: number;
  /** A pending activation older than this is taken over (its line presumably died). */
  pendingTakeoverMs: number;
}

type Step =
  | { kind: "replay"; row: ActivationRow }
  | { kind: "pending"; row: ActivationRow }
  | { kind: "new"; items: TicketItem[]; quotaExceeded: boolean }
  | { kind: "again" };

export class ActivationMachine {
  constructor(
    private readonly store: LcStore,
    private readonly fsb: FsbClient,
    private readonly quota: QuotaPolicy,
    private readonly metrics: LcMetrics,
    private readonly now: () => Date,
    private readonly timings: ActivationTimings,
  ) {}

  async activate(ticket: string, req: ActivationRequest, log: WarnLog): Promise<Outcome<ActivationResult>> {
    const { container, idempotencyKey: key } = req;
    if (!TICKET_PATTERN.test(ticket)) throw unknownTicket(ticket);
    const deadline = Date.now() + this.timings.pendingWaitMs;
    await this.quota.prepare("activations", monthOf(this.now()));
    for (;;) {
      let step: Step;
      try {
        step = await this.store.transaction((conn) => this.begin(conn, ticket, container, key, log));
      } catch (err: any) {
        if (err?.code === "ER_DUP_ENTRY") continue; // another line inserted the same key: read it again
        throw err;
      }
      if (step.kind === "again") continue;
      if (step.kind === "replay") {
        this.metrics.activationsTotal.inc({ result: "replayed" });
        return { status: 201, body: activationResult(step.row), replayed: true };
      }
      if (step.kind === "new") {
        const done = await this.complete({ ticket, container, key, items: step.items });
        return { ...done, quotaExceeded: step.quotaExceeded ? "activations" : undefined };
      }
      // pending: a concurrent request with the same key is in flight (here or on another line)
      const age = this.now().getTime() - step.row.created_at.getTime();
      if (age > this.timings.pendingTakeoverMs) {
        const items = await this.store.ticketItems(ticket);
        return this.complete({ ticket, container, key, items, takeover: true });
      }
      if (Date.now() > deadline) {
        throw new HttpError(
          409,
          "activation_in_progress",
          `idempotencyKey: an activation with key ${JSON.stringify(key)} is still in progress; retry later`,
          "idempotencyKey",
          {
            "Retry-After": "1",
          },
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The first transaction: replay, wait for a pending one, or lock the ticket and write `pending`. */
  private async begin(conn: Conn, ticket: string, container: string, key: string, log: WarnLog): Promise<Step> {
    const row = await this.store.activation(key, conn);
    if (row) {
      if (row.ticket !== ticket || row.container !== container) {
        throw new HttpError(
          409,
          "idempotency_conflict",
          `idempotencyKey: ${JSON.stringify(key)} was already used for another ticket or container`,
          "idempotencyKey",
        );
      }
      if (row.status === "deactivated") {
        // the signed update was for an activation that no longer holds: handing it out again as a fresh 201
        // would put a licence on a container whose deactivation the customer already has a receipt for
        throw new HttpError(
          409,
          "activation_deactivated",
          `idempotencyKey: the activation with key ${JSON.stringify(key)} was deactivated at ${row.deactivated_at?.toISOString() ?? "?"}; activate again with a new idempotency key`,
          "idempotencyKey",
        );
      }
      return row.status === "pending" ? { kind: "pending", row } : { kind: "replay", row };
    }
    const t = await this.store.ticket(ticket, conn, true);
    if (!t) throw unknownTicket(ticket);
    // a concurrent request with the same key committed while we waited for the ticket lock: read it in a fresh transaction
    if (t.active_key === key) return { kind: "again" };
    if (t.active_key !== null) {
      const other = await this.store.activation(t.active_key, conn);
      throw new HttpError(
        409,
        "ticket_already_active",
        `ticket: ${ticket} is already activated in container ${other?.container ?? "?"}; deactivate it first`,
        "ticket",
      );
    }
    // hard mode: the pending row is the reservation, written under the quota lock and counted until it
    // completes (then its usage event counts) or is released (FSB failure or bad answer)
    const month = monthOf(this.now());
    const hard = this.quota.isHard("activations");
    const quotaExceeded = await this.quota.admit(
      conn,
      "activations",
      month,
      () => (hard ? this.store.countActivationsWithReservations(conn, month) : this.store.countUsage(conn, month, ["activation", "deactivation"])),
      log,
    );
    await this.store.insertPendingActivation(conn, { key, ticket, container, createdAt: this.now() });
    await this.store.setActiveKey(conn, ticket, key);
    return { kind: "new", items: await this.store.ticketItems(ticket, conn), quotaExceeded };
  }

  /** Signs through the FSB and completes the pending row. */
  private async complete(a: { ticket: string; container: string; key: string; items: TicketItem[]; takeover?: boolean }): Promise<Outcome<ActivationResult>> {
    let signed: FsbSignedUpdate;
    try {
      signed = await this.fsb.signLicenseUpdate(a.key, a.container, a.items);
    } catch (err) {
      this.metrics.fsbErrors.inc();
      // a request that took over someone else's pending row leaves it: its owner may still complete it
      if (a.takeover) throw err;
      // release the ticket so the user can retry (the FSB keeps the signature for the same requestId)
      await this.store.transaction(async (conn) => {
        if (await this.store.deletePendingActivation(conn, a.key)) await this.store.releaseActiveKey(conn, a.ticket, a.key);
      });
      throw err;
    }
    const at = this.now();
    const counted = await this.store.transaction(async (conn) => {
      if (!(await this.store.completeActivation(conn, a.key, at, JSON.stringify(signed)))) return false; // completed by someone else meanwhile
      await this.store.recordUsage(conn, "activation", at, a.key);
      return true;
    });
    const row = await this.store.activation(a.key);
    if (!row || row.status === "pending") throw new Error(`activation ${a.key} vanished while completing`);
    this.metrics.activationsTotal.inc({ result: counted ? "activated" : "replayed" });
    return { status: 201, body: activationResult(row), replayed: !counted };
  }

  async deactivate(ticket: string, container: string, log: WarnLog): Promise<Outcome<DeactivationReceipt>> {
    if (!TICKET_PATTERN.test(ticket)) throw unknownTicket(ticket);
    return this.store.transaction(async (conn) => {
      const t = await this.store.ticket(ticket, conn, true);
      if (!t) throw unknownTicket(ticket);
      const a = t.active_key ? await this.store.activation(t.active_key, conn, true) : undefined;
      if (!a || a.status !== "active" || a.container !== container) {
        throw new HttpError(
          404,
          "not_activated",
          `container: ticket ${ticket} has no completed activation in container ${JSON.stringify(container)}`,
          "container",
        );
      }
      const at = this.now();
      const month = monthOf(at);
      // a deactivation frees the customer's licence: never refused for the quota, even in hard mode (it still counts)
      const quotaExceeded = this.quota.isHard("activations")
        ? false
        : this.quota.check("activations", await this.store.countUsage(conn, month, ["activation", "deactivation"]), month, log);
      await this.store.markDeactivated(conn, a.idempotency_key, at);
      await this.store.setActiveKey(conn, ticket, null);
      await this.store.recordUsage(conn, "deactivation", at, a.idempotency_key);
      this.metrics.deactivationsTotal.inc();
      return {
        status: 200,
        quotaExceeded: quotaExceeded ? "activations" : undefined,
        body: {
          receiptId: crypto.randomUUID(),
          ticket,
          container,
          idempotencyKey: a.idempotency_key,
          activatedAt: a.activated_at?.toISOString() ?? null,
          deactivatedAt: at.toISOString(),
        },
      };
    });
  }
}

function activationResult(a: ActivationRow): ActivationResult {
  const signed = JSON.parse(a.signed_update!) as FsbSignedUpdate;
  return { ticket: a.ticket, container: a.container, idempotencyKey: a.idempotency_key, activatedAt: a.activated_at!.toISOString(), ...signed };
}
