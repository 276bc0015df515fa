// Finds where the root element of an XML document closes, fed byte by byte in fragments.
// It is not a parser: it only knows enough (tags, quoted attributes, comments, processing
// instructions, CDATA, declarations) to tell "the document is complete" so the framing
// layer can notice a length line that disagrees with the document. Multi-byte UTF-8 is
// opaque here: every structural character is ASCII.

const enum S {
  Text,
  Lt,
  StartTag,
  DoubleQuoted,
  SingleQuoted,
  EndTag,
  Bang,
  CommentOpen,
  Comment,
  Pi,
  Cdata,
  Declaration,
  Done,
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const QUESTION = 0x3f;
const BANG = 0x21;
const DASH = 0x2d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;

export class XmlBoundaryScanner {
  private state = S.Text;
  private depth = 0;
  private previous = 0;
  private beforePrevious = 0;
  private declarationBrackets = 0;
  /** Whether a start tag of the root has been seen. */
  rootSeen = false;

  /** True once the root element has closed. */
  get complete(): boolean {
    return this.state === S.Done;
  }

  /**
   * Whether the bytes so far are an unfinished document: inside the root or some markup, or
   * past markup (such as the XML declaration) with the root still to come.
   */
  get insideDocument(): boolean {
    return this.state !== S.Done && (this.depth > 0 || this.state !== S.Text || this.markupSeen);
  }

  /** Whether any markup ('<') has been seen. */
  private markupSeen = false;

  /**
   * Scans bytes [start, end) of `chunk`. Returns the index just past the byte that closed
   * the root element, or -1 if it has not closed within this range.
   */
  scan(chunk: Uint8Array, start: number, end: number): number {
    let state = this.state;
    if (state === S.Done) return -1;
    let prev = this.previous;
    let prev2 = this.beforePrevious;
    for (let i = start; i < end; i++) {
      const c = chunk[i]!;
      switch (state) {
        case S.Text:
          if (c === LT) {
            state = S.Lt;
            this.markupSeen = true;
          }
          break;
        case S.Lt:
          if (c === SLASH) state = S.EndTag;
          else if (c === QUESTION) state = S.Pi;
          else if (c === BANG) state = S.Bang;
          else {
            state = S.StartTag;
            this.rootSeen = true;
          }
          break;
        case S.StartTag:
          if (c === DQUOTE) state = S.DoubleQuoted;
          else if (c === SQUOTE) state = S.SingleQuoted;
          else if (c === GT) {
            if (prev === SLASH) {
              if (this.depth === 0) return this.finish(i, c, prev);
            } else this.depth++;
            state = S.Text;
          }
          break;
        case S.DoubleQuoted:
          if (c === DQUOTE) state = S.StartTag;
          break;
        case S.SingleQuoted:
          if (c === SQUOTE) state = S.StartTag;
          break;
        case S.EndTag:
          if (c === GT) {
            this.depth--;
            if (this.depth <= 0) return this.finish(i, c, prev);
            state = S.Text;
          }
          break;
        case S.Bang:
          if (c === DASH) state = S.CommentOpen;
          else if (c === LBRACKET) state = S.Cdata;
          else {
            state = S.Declaration;
            this.declarationBrackets = 0;
          }
          break;
        case S.CommentOpen:
          // The dashes of "<!--" must not count towards the closing "-->".
          state = S.Comment;
          prev = prev2 = 0;
          continue;
        case S.Comment:
          if (c === GT && prev === DASH && prev2 === DASH) state = S.Text;
          break;
        case S.Pi:
          if (c === GT && prev === QUESTION) state = S.Text;
          break;
        case S.Cdata:
          if (c === GT && prev === RBRACKET && prev2 === RBRACKET) state = S.Text;
          break;
        case S.Declaration:
          if (c === LBRACKET) this.declarationBrackets++;
          else if (c === RBRACKET) this.declarationBrackets--;
          else if (c === GT && this.declarationBrackets <= 0) state = S.Text;
          break;
      }
      prev2 = prev;
      prev = c;
    }
    this.state = state;
    this.previous = prev;
    this.beforePrevious = prev2;
    return -1;
  }

  private finish(index: number, c: number, prev: number): number {
    this.state = S.Done;
    this.beforePrevious = prev;
    this.previous = c;
    return index + 1;
  }
}
