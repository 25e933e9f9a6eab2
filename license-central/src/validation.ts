/** Patterns of what License Central accepts (the route schemas in schemas.ts use them) and month helpers. */
export interface TicketItem {
  productCode: number;
  quantity: number;
}

export const UINT32_MAX = 4294967295;
export const ORDER_ID_PATTERN = /^[\x21-\x7e](?:[\x20-\x7e]{0,126}[\x21-\x7e])?$/;
export const KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;
export const CONTAINER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
export const TICKET_PATTERN = /^[A-Z2-9]{5}(?:-[A-Z2-9]{5}){4}$/;
export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** `YYYY-MM` (UTC) of a date. */
export function monthOf(d: Date): string {
  return d.toISOString().slice(0, 7);
}
