/** The explorer page's entry: reads the data the page carries and renders the app. */
import { render } from 'preact';
import { App } from './app.js';
import { Explorer, type ExplorerData } from './model.js';
import './styles.css';

const node = document.getElementById('explorer-data');
const root = document.getElementById('app')!;
if (node === null || node.textContent === null) {
  root.textContent = 'This page carries no explorer data.';
} else {
  const data = JSON.parse(node.textContent) as ExplorerData;
  render(<App x={new Explorer(data)} />, root);
}
