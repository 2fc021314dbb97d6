import type { Core, EdgeSingular, NodeSingular } from 'cytoscape';

/*
 * The drawn graph as a standalone SVG document, built from Cytoscape's laid-out positions and
 * computed styles (Cytoscape draws on a canvas and exports only PNG/JPG). Vector output keeps
 * labels sharp at any zoom and can be edited or pasted into a report. Shapes: rectangles for
 * round-rectangle nodes, ellipses for the rest; edges as straight lines with an arrowhead.
 */

const MARGIN = 40;

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A computed style value as text ('' when Cytoscape has none). */
function styleOf(element: NodeSingular | EdgeSingular, name: string): string {
  const value: unknown = element.style(name);
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function px(value: string, fallback: number): number {
  const parsed = Number.parseFloat(value);
  return Number.isFinite(parsed) ? parsed : fallback;
}

function textLines(
  label: string,
  x: number,
  y: number,
  size: number,
  colour: string,
  anchor = 'middle',
): string {
  if (label === '') return '';
  const lines = label.split('\n');
  const spans = lines
    .map(
      (line, i) =>
        `<tspan x="${x.toFixed(1)}" dy="${i === 0 ? 0 : (size * 1.2).toFixed(1)}">${escapeXml(line)}</tspan>`,
    )
    .join('');
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${size}" font-family="sans-serif" fill="${colour}" text-anchor="${anchor}">${spans}</text>`;
}

function nodeSvg(node: NodeSingular): string {
  const { x, y } = node.position();
  const width = node.width();
  const height = node.height();
  const fill = styleOf(node, 'background-color') || '#4a5568';
  const borderWidth = px(styleOf(node, 'border-width'), 0);
  const border = styleOf(node, 'border-color') || 'none';
  const stroke = borderWidth > 0 ? ` stroke="${border}" stroke-width="${borderWidth}"` : '';
  const shape = styleOf(node, 'shape');
  const body = shape.includes('rectangle')
    ? `<rect x="${(x - width / 2).toFixed(1)}" y="${(y - height / 2).toFixed(1)}" width="${width.toFixed(1)}" height="${height.toFixed(1)}" rx="${shape.startsWith('round') ? 4 : 0}" fill="${fill}"${stroke}/>`
    : `<ellipse cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" rx="${(width / 2).toFixed(1)}" ry="${(height / 2).toFixed(1)}" fill="${fill}"${stroke}/>`;
  const size = px(styleOf(node, 'font-size'), 10);
  const colour = styleOf(node, 'color') || '#1a202c';
  const label = textLines(
    String(node.data('label') ?? ''),
    x,
    y + height / 2 + size + 4,
    size,
    colour,
  );
  return `<g class="node" data-id="${escapeXml(node.id())}">${body}${label}</g>`;
}

function edgeSvg(edge: EdgeSingular): string {
  const from = edge.sourceEndpoint();
  const to = edge.targetEndpoint();
  const colour = styleOf(edge, 'line-color') || '#718096';
  const width = px(styleOf(edge, 'width'), 1.5);
  const dashed = styleOf(edge, 'line-style') === 'dashed' ? ' stroke-dasharray="6 4"' : '';
  // An arrowhead at the target: a small triangle along the edge's direction.
  const angle = Math.atan2(to.y - from.y, to.x - from.x);
  const size = 6 + width;
  const left = {
    x: to.x - size * Math.cos(angle - Math.PI / 7),
    y: to.y - size * Math.sin(angle - Math.PI / 7),
  };
  const right = {
    x: to.x - size * Math.cos(angle + Math.PI / 7),
    y: to.y - size * Math.sin(angle + Math.PI / 7),
  };
  const line = `<line x1="${from.x.toFixed(1)}" y1="${from.y.toFixed(1)}" x2="${to.x.toFixed(1)}" y2="${to.y.toFixed(1)}" stroke="${colour}" stroke-width="${width}"${dashed}/>`;
  const head = `<polygon points="${to.x.toFixed(1)},${to.y.toFixed(1)} ${left.x.toFixed(1)},${left.y.toFixed(1)} ${right.x.toFixed(1)},${right.y.toFixed(1)}" fill="${colour}"/>`;
  const size10 = px(styleOf(edge, 'font-size'), 10);
  const label = textLines(
    String(edge.data('label') ?? ''),
    (from.x + to.x) / 2,
    (from.y + to.y) / 2,
    size10,
    '#1a202c',
  );
  return `<g class="edge" data-id="${escapeXml(edge.id())}" data-source="${escapeXml(edge.source().id())}" data-target="${escapeXml(edge.target().id())}">${line}${head}${label}</g>`;
}

/** The whole graph (not just the visible part) as an SVG document with a title. */
export function graphToSvg(cy: Core, title: string): string {
  const box = cy.elements().boundingBox({});
  const x = box.x1 - MARGIN;
  const y = box.y1 - MARGIN;
  const width = Math.max(1, box.w + 2 * MARGIN);
  const height = Math.max(1, box.h + 2 * MARGIN);
  const edges = cy.edges().map(edgeSvg).join('\n');
  const nodes = cy.nodes().map(nodeSvg).join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${x.toFixed(1)} ${y.toFixed(1)} ${width.toFixed(1)} ${height.toFixed(1)}" width="${width.toFixed(0)}" height="${height.toFixed(0)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${width.toFixed(1)}" height="${height.toFixed(1)}" fill="#ffffff"/>`,
    `<g class="edges">${edges}</g>`,
    `<g class="nodes">${nodes}</g>`,
    '</svg>',
  ].join('\n');
}
