/** Compliance reports: placeholder until the report API exists. */
export function ReportsScreen() {
  return (
    <section class="screen reports" aria-labelledby="reports-title">
      <h1 id="reports-title">Reports</h1>
      <p>
        Reports are generated with <code>auditkit report</code>.
      </p>
    </section>
  );
}
