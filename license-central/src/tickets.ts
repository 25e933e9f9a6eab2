/** Tickets: created by the customer's ERP (web services) or the operator (admin API), read by both. */
import * as crypto from "crypto";
import { HttpError } from "./httpErrors";
import type { Outcome } from "./outcome";
import type { LcStore } from "./store";
import { TICKET_PATTERN, TicketItem } from "./validation";

const TICKET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // 32 symbols, no 0/O/1/I

export function newTicketCode(): string {
  const bytes = crypto.randomBytes(25);
  let s = "";
  for (let i = 0; i < 25; i++) {
    if (i > 0 && i % 5 === 0) s += "-";
    s += TICKET_ALPHABET[bytes[i] & 31];
  }
  return s;
}

export function unknownTicket(ticket: string): HttpError {
  return new HttpError(404, "unknown_ticket", `ticket: unknown ticket ${JSON.stringify(ticket)}`, "ticket");
}

export interface TicketRequest {
  orderId: string;
  items: TicketItem[];
}

export interface TicketView {
  ticket: string;
  orderId: string;
  items: TicketItem[];
  createdAt: string;
  status: "available" | "activated";
  activation: { container: string; status: string; activatedAt: string | null } | null;
}

export class TicketService {
  constructor(
    private readonly store: LcStore,
    private readonly now: () => Date,
  ) {}

  async view(ticket: string): Promise<TicketView> {
    const row = TICKET_PATTERN.test(ticket) ? await this.store.ticket(ticket) : undefined;
    if (!row) throw unknownTicket(ticket);
    const items = await this.store.ticketItems(ticket);
    let activation: TicketView["activation"] = null;
    if (row.active_key) {
      const a = await this.store.activation(row.active_key);
      if (a) activation = { container: a.container, status: a.status, activatedAt: a.activated_at?.toISOString() ?? null };
    }
    return {
      ticket: row.ticket,
      orderId: row.order_id,
      items,
      createdAt: row.created_at.toISOString(),
      status: activation ? "activated" : "available",
      activation,
    };
  }

  /** 201 with a new ticket; the same orderId again (an ERP retry): 200 with its ticket; with other items: 409. */
  async create(req: TicketRequest, source: "ws" | "admin"): Promise<Outcome<TicketView>> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const ticket = newTicketCode();
      const createdAt = this.now();
      try {
        await this.store.transaction((conn) => this.store.insertTicket(conn, { ticket, orderId: req.orderId, source, createdAt, items: req.items }));
        return {
          status: 201,
          body: { ticket, orderId: req.orderId, items: req.items, createdAt: createdAt.toISOString(), status: "available", activation: null },
        };
      } catch (err: any) {
        if (err?.code !== "ER_DUP_ENTRY") throw err;
        const existing = await this.store.ticketOfOrder(req.orderId);
        if (!existing) continue; // ticket code collision: draw another
        const view = await this.view(existing);
        if (JSON.stringify(view.items) !== JSON.stringify(req.items)) {
          throw new HttpError(
            409,
            "order_conflict",
            `orderId: order ${JSON.stringify(req.orderId)} already has ticket ${view.ticket} with other items`,
            "orderId",
          );
        }
        return { status: 200, body: view, replayed: true };
      }
    }
    throw new Error("could not allocate a ticket code");
  }
}
