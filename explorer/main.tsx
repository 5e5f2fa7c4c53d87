/** The explorer page's entry: reads the data the page carries and renders the app. */
import { render } from 'preact';
import { App } from './app.js';
import { Explorer, type ExplorerData } from './model.js';
import { EXPLORER_FORMAT } from '../src/explore/data.js';
import './styles.css';

const node = document.getElementById('explorer-data');
const root = document.getElementById('app')!;
if (node === null || node.textContent === null) {
  root.textContent = 'This page carries no explorer data.';
} else {
  const data = JSON.parse(node.textContent) as ExplorerData;
  if (data.format !== EXPLORER_FORMAT) root.textContent = `This page's data is '${String(data.format)}'; its code reads '${EXPLORER_FORMAT}'.`;
  else render(<App x={new Explorer(data)} />, root);
}
