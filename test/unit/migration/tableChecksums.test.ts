import { compareChecksums, TableDigest } from "../../../migration/tableChecksums";

const digest = (table: string, rows: Array<Record<string, unknown>>) => {
  const d = new TableDigest(table);
  for (const r of rows) d.add(r, Object.keys(rows[0] ?? {}));
  return d.result();
};

describe("table checksums", () => {
  test("the same rows give the same checksum whatever the value types the driver returns", () => {
    const a = digest("t", [{ id: "1", n: 5, at: new Date("2026-01-01T00:00:00Z") }]);
    const b = digest("t", [{ id: "1", n: "5", at: "2026-01-01T00:00:00.000Z" }]);
    expect(a).toEqual(b);
  });

  test("NULL and the string 'null' differ", () => {
    expect(digest("t", [{ a: null }]).sha256).not.toBe(digest("t", [{ a: "null" }]).sha256);
  });

  test("identical tables compare clean", () => {
    const s = [digest("a", [{ x: 1 }]), digest("b", [])];
    expect(compareChecksums(s, [...s].reverse())).toEqual([]);
  });

  test("a missing table, a lost row, a changed value and an extra table are each named", () => {
    const src = [digest("a", [{ x: 1 }, { x: 2 }]), digest("b", [{ x: 1 }]), digest("c", [{ x: 1 }])];
    const dst = [digest("a", [{ x: 1 }]), digest("b", [{ x: 9 }]), digest("d", [])];
    const m = compareChecksums(src, dst);
    expect(m.map((x) => [x.table, x.problem])).toEqual([
      ["a", "rows"],
      ["b", "content"],
      ["c", "missing"],
      ["d", "unexpected"],
    ]);
    expect(m[0].message).toBe("table a: 1 rows in the new database, 2 in the source");
  });
});
