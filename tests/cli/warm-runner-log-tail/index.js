exports.handler = async (event) => {
  console.log(`node handler got x=${event.x}`);
  return event;
};
