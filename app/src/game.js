// The game's rules, independent of drawing: a skier heads downhill, steers
// left and right, and crashes into trees.

export const SKIER_SPEED = 6;
const TREE_RADIUS = 12;
const SKIER_RADIUS = 8;
const TREES_PER_SCREEN = 14;

/** A new game on a field `width` by `height` pixels. */
export function newGame(width, height, random = Math.random) {
  const trees = [];
  for (let i = 0; i < TREES_PER_SCREEN; i += 1) {
    trees.push({ x: random() * width, y: height * (0.5 + random()) });
  }
  return { width, height, skier: { x: width / 2, y: height / 4, dx: 0 }, trees, distance: 0, crashed: false };
}

/** Advances the game one frame; `steer` is -1 (left), 0 or 1 (right). */
export function step(game, steer, random = Math.random) {
  if (game.crashed) {
    return game;
  }
  const skier = { ...game.skier, dx: steer * SKIER_SPEED };
  skier.x = Math.min(game.width, Math.max(0, skier.x + skier.dx));
  // The skier stays put on screen; the slope (and its trees) moves up.
  const trees = game.trees.map((t) => (t.y < -TREE_RADIUS ? { x: random() * game.width, y: game.height + TREE_RADIUS } : { x: t.x, y: t.y - SKIER_SPEED }));
  const crashed = trees.some((t) => Math.hypot(t.x - skier.x, t.y - skier.y) < TREE_RADIUS + SKIER_RADIUS);
  return { ...game, skier, trees, distance: game.distance + SKIER_SPEED / 10, crashed };
}
