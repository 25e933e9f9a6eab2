import { renderThrowawayMyCnf } from "../../../sandbox/mariadbProcess";

describe("a throw-away MariaDB's my.cnf", () => {
  it("keeps everything, temporary tables included, under its own base directory", () => {
    const cnf = renderThrowawayMyCnf("/tmp/lchost-mariadb-x", 3307);
    // at start mariadbd deletes every #sql* file in its tmpdir: a shared /tmp lets one server
    // delete another's temporary tables during mariadb-install-db's bootstrap
    expect(cnf).toContain("tmpdir=/tmp/lchost-mariadb-x/tmp");
    for (const key of ["datadir", "socket", "pid-file", "tmpdir"]) {
      expect(cnf).toMatch(new RegExp(`^${key}=/tmp/lchost-mariadb-x/`, "m"));
    }
    expect(cnf).toContain("bind-address=127.0.0.1");
    expect(cnf).toContain("port=3307");
  });
});
