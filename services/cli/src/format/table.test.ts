import { describe, expect, it } from "vitest";
import { renderFields, renderTable } from "./table.js";

interface Row {
  id: string;
  title: string;
  note: string;
}

const columns = [
  { header: "id", cell: (r: Row) => r.id },
  { header: "title", cell: (r: Row) => r.title, maxWidth: 8 },
  { header: "note", cell: (r: Row) => r.note, hideWhenEmpty: true },
];

describe("renderTable", () => {
  it("aligns columns, cuts long cells and trims trailing spaces", () => {
    const rows = [
      { id: "a1", title: "short", note: "" },
      { id: "b22", title: "a rather long title", note: "n" },
    ];
    expect(renderTable(columns, rows)).toBe(
      ["ID   TITLE     NOTE", "a1   short", "b22  a rathe…  n"].join("\n"),
    );
  });

  it("drops a column that is empty on every row when asked", () => {
    expect(renderTable(columns, [{ id: "a", title: "t", note: "" }])).toBe(
      "ID  TITLE\na   t",
    );
  });

  it("neutralises control characters so a title cannot drive the terminal", () => {
    const out = renderTable(columns, [{ id: "x", title: "a\u001b[2Jb\nc", note: "" }]);
    expect(out).not.toContain("\u001b");
    expect(out.split("\n")[1]).toBe("x   a [2Jb c");
  });
});

describe("renderFields", () => {
  it("aligns values and indents continuation lines", () => {
    expect(
      renderFields([
        ["id", "t1"],
        ["notes", "one\ntwo"],
      ]),
    ).toBe("id:    t1\nnotes: one\n       two");
  });
});
