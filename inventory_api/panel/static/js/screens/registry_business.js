// The business screens (see registry.js).

export default [];
