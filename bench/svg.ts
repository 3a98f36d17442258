/** A dependency-free horizontal bar chart of requests per second, one bar per scenario. */
export function barChart(title: string, rows: { label: string; value: number }[]): string {
  const width = 760;
  const barHeight = 22;
  const gap = 8;
  const left = 300;
  const top = 40;
  const max = Math.max(...rows.map((r) => r.value), 1);
  const height = top + rows.length * (barHeight + gap) + 20;
  const esc = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;");
  const bars = rows
    .map((r, i) => {
      const y = top + i * (barHeight + gap);
      const w = Math.max(1, ((width - left - 80) * r.value) / max);
      return [
        `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${esc(r.label)}</text>`,
        `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="#f38020"/>`,
        `<text x="${left + w + 6}" y="${y + 15}">${Math.round(r.value)}</text>`,
      ].join("");
    })
    .join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="22" font-size="15" font-weight="bold">${esc(title)}</text>
${bars}
</svg>
`;
}
