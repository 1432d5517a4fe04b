// The file sink options every audited bench server writes with. Rotating every 16 MiB (with the
// default gzip) makes each variant pay compression at the same rate per event; at the default
// 100 MiB a rotation falls inside some measured windows and not others.
exports.auditFileOptions = (extra = {}) => ({
  path: process.env.LOG_FILE,
  maxSize: 16 * 1024 * 1024,
  ...extra,
});
