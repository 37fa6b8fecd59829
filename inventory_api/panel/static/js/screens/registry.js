// Screens added after the panel's first step register here: append one
// entry per screen to this list ({path, title, roles, nav, view}; see
// ../routes.js for the fields; role lists come from ../roles.js) and import its view.
// The navigation lists `nav: true` entries after the built-in ones.

export default [];
