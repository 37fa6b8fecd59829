// The panel's one door to its libraries: screens import from here, never from vendor/.
export { html, render } from "../vendor/htm/preact.mjs";
export {
  useCallback, useEffect, useMemo, useRef, useState,
} from "../vendor/preact/hooks.mjs";
