/** The SLA's record of announced maintenance as `lchost maintenance announce` writes it: appended, never half written. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  appendMaintenanceAnnouncements,
  MaintenanceFileError,
  parseMaintenanceAnnouncements,
  writeFileAtomically,
} from "../../../model/maintenanceAnnouncements";

const OLD =
  '{"announcements":[{"customers":["acme"],"from":"2026-02-12T02:00:00+01:00","to":"2026-02-12T03:00:00+01:00","announcedAt":"2026-02-01T09:00:00Z","reason":"r","note":"kept"}]}';
const added = {
  customers: ["wayne"],
  stack: "wayne",
  from: new Date("2026-12-05T22:00:00Z"),
  to: new Date("2026-12-06T00:30:00Z"),
  announcedAt: new Date("2026-11-28T14:00:12.345Z"),
  reason: "database upgrade",
};

describe("appending an announcement", () => {
  test("keeps the old entries as written (zones, extra keys) and adds the new one in UTC", () => {
    const text = appendMaintenanceAnnouncements(OLD, [added], "f.json");
    const doc = JSON.parse(text);
    expect(doc.announcements[0]).toEqual(JSON.parse(OLD).announcements[0]);
    expect(doc.announcements[1]).toEqual({
      customers: ["wayne"],
      stack: "wayne",
      from: "2026-12-05T22:00:00Z",
      to: "2026-12-06T00:30:00Z",
      announcedAt: "2026-11-28T14:00:12.345Z",
      reason: "database upgrade",
    });
    expect(parseMaintenanceAnnouncements(text, "f.json")).toHaveLength(2);
  });

  test("starts a new record when there is none", () => {
    expect(JSON.parse(appendMaintenanceAnnouncements(undefined, [added], "f.json")).announcements).toHaveLength(1);
  });

  test("refuses to append to a record that does not parse, naming the file", () => {
    expect(() => appendMaintenanceAnnouncements('{"announcements": {}}', [added], "f.json")).toThrow(MaintenanceFileError);
    expect(() => appendMaintenanceAnnouncements('{"announcements": {}}', [added], "f.json")).toThrow(/^f\.json: expected/);
  });
});

describe("writing the file at once", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "record-"));
  });

  test("replaces the content, keeps the file's mode and leaves no temporary file", () => {
    const file = path.join(dir, "announcements.json");
    fs.writeFileSync(file, OLD, { mode: 0o600 });
    writeFileAtomically(file, "new\n");
    expect(fs.readFileSync(file, "utf8")).toBe("new\n");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(["announcements.json"]);
  });

  test("creates the folder of a new file", () => {
    const file = path.join(dir, "maintenance", "announcements.json");
    writeFileAtomically(file, "x");
    expect(fs.readFileSync(file, "utf8")).toBe("x");
  });

  test("a write that fails (the target is a folder with files) throws and leaves no temporary file behind", () => {
    const target = path.join(dir, "announcements.json");
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, "inside"), "");
    expect(() => writeFileAtomically(target, "x")).toThrow();
    expect(fs.readdirSync(dir)).toEqual(["announcements.json"]);
  });
});
