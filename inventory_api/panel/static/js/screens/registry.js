// Screens added after the panel's first step. Each family keeps its own list
// ({path, title, roles, nav, view}; see ../routes.js for the fields; role lists
// come from ../roles.js) in its own registry module; this file joins them in
// navigation order. The navigation lists `nav: true` entries after the built-in ones.

import operations from "./registry_operations.js";
import business from "./registry_business.js";

export default [...operations, ...business];
