// The request documents bench/xml-decode.ts decodes and bench/xml-differential.ts changes
// in every small way: what clients send most.

export const DOCUMENTS: Record<string, string> = {
  create:
    '<?xml version="1.0" encoding="UTF-8"?>\n<create>\n  <account id="123456" balance="1000"/>\n' +
    '  <account id="123457" balance="250000.5"/>\n  <symbol sym="SPY">\n' +
    '    <account id="123456">100000</account>\n    <account id="123457">50</account>\n' +
    '  </symbol>\n</create>\n',
  'one order':
    '<transactions id="123456"><order sym="SPY" amount="100" limit="145.67"/></transactions>',
  mixed:
    '<?xml version="1.0" encoding="UTF-8"?>\n<transactions id="123456">\n' +
    '  <order sym="SPY" amount="100" limit="145.67"/>\n' +
    '  <order sym="SPY" amount="-50" limit="146"/>\n' +
    '  <order sym="BTC" amount="0.25" limit="64000.5"/>\n' +
    '  <query id="17"/>\n  <query id="18"/>\n  <cancel id="19"/>\n  <cancel id="20"/>\n' +
    '</transactions>\n',
};
