import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { PASSWORD_HASHER, PasswordHasher, USER_REPOSITORY, UserAccount, UserRepository } from '@zhenggai/application';
import { ProblemException } from '../http/problem-details';
import { claimsOf } from './access-token';

export interface PublicUser {
  id: string;
  username: string;
  displayName: string;
  role: UserAccount['role'];
  unitId: string | null;
}

export const publicUser = (user: UserAccount): PublicUser => ({
  id: user.id,
  username: user.username,
  displayName: user.displayName,
  role: user.role,
  unitId: user.unitId,
});

// A hash of a random password: verifying against it costs the same as a real check, so a missing
// username takes as long as a wrong password.
const DECOY_HASH = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$Kx7Zr5xb9l6oN4i0k9l9cW4jQ2cX3u0f4Z7p2mNwqVE=';

@Injectable()
export class AuthService {
  constructor(
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
  ) {}

  async login(username: string, password: string): Promise<{ accessToken: string; tokenType: 'Bearer'; user: PublicUser }> {
    const user = await this.users.findByUsername(username);
    const valid = await this.hasher.verify(password, user?.passwordHash ?? DECOY_HASH);
    if (!user || !valid || user.disabled) {
      throw ProblemException.of(401, 'INVALID_CREDENTIALS', 'Login failed', 'the username or password is wrong');
    }
    const accessToken = await this.jwt.signAsync(
      claimsOf({ userId: user.id, username: user.username, role: user.role, unitId: user.unitId }),
    );
    return { accessToken, tokenType: 'Bearer', user: publicUser(user) };
  }
}
