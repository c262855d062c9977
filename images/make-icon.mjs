// Draws images/icon.png (256x256, the marketplace icon): two wires from different apps crossing, with
// a conflict at the crossing. Plain Node (zlib for the PNG); run `node images/make-icon.mjs` to redraw.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const N = 256;
const S = 4; // supersampling per axis
const bg = [0x1b, 0x25, 0x38];

function roundedSquare(x, y, r) {
  const qx = Math.abs(x - N / 2) - (N / 2 - r);
  const qy = Math.abs(y - N / 2) - (N / 2 - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

function segment(x, y, [ax, ay], [bx, by]) {
  const px = x - ax,
    py = y - ay,
    dx = bx - ax,
    dy = by - ay;
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - t * dx, py - t * dy);
}

// Wires: a polyline each, in app colours; terminals at their ends.
const amber = [0xf5, 0xa5, 0x24];
const teal = [0x2d, 0xd4, 0xbf];
const wireA = [
  [36, 72],
  [96, 72],
  [160, 184],
  [220, 184],
];
const wireB = [
  [36, 184],
  [96, 184],
  [160, 72],
  [220, 72],
];
const c = [128, 128];

function wire(x, y, pts) {
  let d = Infinity;
  for (let i = 0; i + 1 < pts.length; i++) d = Math.min(d, segment(x, y, pts[i], pts[i + 1]));
  return d;
}

/** Colour of one sample (straight alpha), painter's order. */
function sample(x, y) {
  if (roundedSquare(x, y, 48) > 0) return [0, 0, 0, 0];
  let col = bg;
  const over = (rgb, inside) => {
    if (inside) col = rgb;
  };
  over(amber, wire(x, y, wireA) < 11);
  for (const p of [wireA[0], wireA[3]]) over(amber, Math.hypot(x - p[0], y - p[1]) < 17);
  // wire B passes over wire A with a gap (dark outline), like a crossing in a circuit diagram
  over(bg, wire(x, y, wireB) < 19 && Math.hypot(x - c[0], y - c[1]) < 60);
  over(teal, wire(x, y, wireB) < 11);
  for (const p of [wireB[0], wireB[3]]) over(teal, Math.hypot(x - p[0], y - p[1]) < 17);
  // the conflict at the crossing
  const r = Math.hypot(x - c[0], y - c[1]);
  over([0xff, 0xff, 0xff], r < 30);
  over([0xef, 0x44, 0x44], r < 24);
  return [...col, 255];
}

const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < N; x++) {
    let r = 0,
      g = 0,
      b = 0,
      a = 0;
    for (let sy = 0; sy < S; sy++) {
      for (let sx = 0; sx < S; sx++) {
        const [cr, cg, cb, ca] = sample(x + (sx + 0.5) / S, y + (sy + 0.5) / S);
        r += cr * ca;
        g += cg * ca;
        b += cb * ca;
        a += ca;
      }
    }
    const o = y * (N * 4 + 1) + 1 + x * 4;
    raw[o] = a ? Math.round(r / a) : 0;
    raw[o + 1] = a ? Math.round(g / a) : 0;
    raw[o + 2] = a ? Math.round(b / a) : 0;
    raw[o + 3] = Math.round(a / (S * S));
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = new URL('./icon.png', import.meta.url);
writeFileSync(out, png);
console.log(`${out.pathname}: ${png.length} bytes`);
