// A node:test reporter that prints nothing until the run ends, then lists every failed test
// (file, name, error) so that the last lines of a long CI log name what failed.
export default async function* failuresReporter(source) {
  const failed = [];
  for await (const event of source) {
    if (event.type !== 'test:fail') continue;
    const { name, file, line, details } = event.data;
    const cause = details?.error?.cause ?? details?.error;
    // A suite fails when one of its tests does; list the tests themselves.
    if (details?.error?.failureType === 'subtestsFailed') continue;
    failed.push({ name, where: file ? `${file}${line ? `:${line}` : ''}` : '', message: String(cause?.message ?? cause ?? '').slice(0, 2_000) });
  }
  if (!failed.length) return;
  yield `\n# ${failed.length} failed:\n`;
  for (const f of failed) yield `# ✖ ${f.name}${f.where ? ` (${f.where})` : ''}\n#   ${f.message.replace(/\n/g, '\n#   ')}\n`;
}
