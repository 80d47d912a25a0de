/** What other features may use of signing in. */
export { PublicUser, publicUser } from './auth.service';
