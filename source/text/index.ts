export {sanitizeLine, sanitizeName, decodeUtf8, stripSgr, controlPicture, sgrReset, defaultMaxLength, type SanitizeOptions} from './sanitize.js';
export {cellWidth, truncateCells, fitCells, wrapCells, layoutLine} from './cells.js';
export {highlightMatches, matchesQuery, queryMatcher, highlightOn, highlightOff} from './highlight.js';
