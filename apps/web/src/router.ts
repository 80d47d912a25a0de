import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { session, type User } from './api';
import { afterSignIn, homeOf } from './home';

type Role = User['role'];

const routes: RouteRecordRaw[] = [
  { path: '/login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
  { path: '/', redirect: () => (session.user ? homeOf(session.user.role) : '/login') },
  { path: '/tasks', component: () => import('./views/TasksView.vue') },
  { path: '/tasks/:id', component: () => import('./views/TaskView.vue'), props: true },
  { path: '/findings/new', component: () => import('./views/NewFindingView.vue'), meta: { roles: ['inspector'] } },
  { path: '/findings/:id', component: () => import('./views/FindingView.vue'), props: true },
  { path: '/sign-off', component: () => import('./views/SignOffView.vue'), meta: { roles: ['inspector', 'unit'] } },
  { path: '/campaigns', component: () => import('./views/CampaignsView.vue'), meta: { roles: ['inspector', 'admin'] } },
  { path: '/imports', component: () => import('./views/ImportView.vue'), meta: { roles: ['inspector'] } },
  { path: '/inbox', component: () => import('./views/InboxView.vue') },
  { path: '/todo', component: () => import('./views/TodoView.vue'), meta: { roles: ['inspector', 'unit'] } },
  {
    path: '/cockpit',
    component: () => import('./views/CockpitView.vue'),
    meta: { roles: ['leader', 'inspector', 'admin'] },
  },
  {
    path: '/directory',
    component: () => import('./views/DirectoryView.vue'),
    meta: { roles: ['admin', 'inspector', 'leader'] },
  },
  {
    path: '/bulletins',
    component: () => import('./views/BulletinsView.vue'),
    meta: { roles: ['inspector', 'leader', 'admin'] },
  },
  { path: '/deliveries', component: () => import('./views/DeliveriesView.vue'), meta: { roles: ['admin'] } },
  { path: '/account', component: () => import('./views/AccountView.vue') },
  { path: '/:rest(.*)*', redirect: '/' },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach((to) => {
  // Signed in already (the page reloaded just as the sign-in went through, or an old bookmark): the form is not shown
  // again over a session that holds; the user goes where the sign-in would have taken them.
  if (to.path === '/login' && session.user) return afterSignIn(to.query.next, session.user.role);
  if (to.meta.public) return true;
  if (!session.user) return { path: '/login', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
  const roles = to.meta.roles as Role[] | undefined;
  if (roles && !roles.includes(session.user.role)) return homeOf(session.user.role);
  return true;
});
