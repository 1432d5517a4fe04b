module.exports = async () => {
  await globalThis.__auditkitKafkaBroker?.close();
};
