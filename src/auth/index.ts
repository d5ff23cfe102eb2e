/** Logins, tokens, passwords and accounts. */
export { AccountService } from './account';
export { NewPassword, passwordNotUsername } from './password-rules';
export { hashPassword } from './passwords';
export { authRoutes } from './routes';
export { AuthService } from './service';
