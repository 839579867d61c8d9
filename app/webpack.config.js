'use strict';
// Builds src/ into dist/: the game's script as main.js and its page as
// index.html (emitted as an asset, so webpack is the only build dependency).

const path = require('node:path');

module.exports = {
  entry: './src/index.js',
  output: {
    path: path.resolve(__dirname, 'dist'),
    filename: 'main.js',
    clean: true,
  },
  module: {
    rules: [
      {
        test: /\.html$/,
        type: 'asset/resource',
        generator: { filename: '[name][ext]' },
      },
    ],
  },
  performance: { hints: false },
};
