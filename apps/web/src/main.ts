import { createApp } from 'vue';
import App from './App.vue';
import { followActions } from './problems';
import { router } from './router';
import './style.css';

followActions(document);
createApp(App).use(router).mount('#app');
