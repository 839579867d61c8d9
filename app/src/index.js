// Draws the game on the page's canvas and steers with the arrow keys;
// Space restarts after a crash.
import './index.html';
import { newGame, step } from './game.js';

const canvas = document.getElementById('game');
const score = document.getElementById('score');
const context = canvas.getContext('2d');
const keys = new Set();
let game;

function restart() {
  canvas.width = window.innerWidth;
  canvas.height = window.innerHeight;
  game = newGame(canvas.width, canvas.height);
}

function draw() {
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = '#2e7d32';
  for (const tree of game.trees) {
    context.beginPath();
    context.moveTo(tree.x, tree.y - 16);
    context.lineTo(tree.x - 10, tree.y + 10);
    context.lineTo(tree.x + 10, tree.y + 10);
    context.fill();
  }
  context.fillStyle = game.crashed ? '#c62828' : '#1565c0';
  context.beginPath();
  context.arc(game.skier.x, game.skier.y, 8, 0, Math.PI * 2);
  context.fill();
  const metres = Math.floor(game.distance);
  score.textContent = game.crashed ? `Crashed after ${metres} m. Press Space to ski again.` : `Distance: ${metres} m`;
}

function frame() {
  const steer = (keys.has('ArrowRight') ? 1 : 0) - (keys.has('ArrowLeft') ? 1 : 0);
  game = step(game, steer);
  draw();
  window.requestAnimationFrame(frame);
}

window.addEventListener('keydown', (event) => {
  keys.add(event.key);
  if (event.key === ' ' && game.crashed) {
    restart();
  }
});
window.addEventListener('keyup', (event) => keys.delete(event.key));
window.addEventListener('resize', restart);

restart();
window.requestAnimationFrame(frame);
