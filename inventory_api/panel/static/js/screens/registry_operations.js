// The operations screens (see registry.js).

export default [];
