import { collector, finding } from '../findings.ts';
import { ASVS, asvs } from '../refs.ts';
import { isLoopback, type Rule } from './context.ts';

const PREFIXED = /^__(host|secure)-/i;

/** The deployment itself: plain HTTP outside local development, or no origin to check against. */
export const deploymentRule: Rule = ({ env, deployment }) => {
  const { origin, https, local } = deployment;
  if (origin === null) {
    return [
      finding(
        'info',
        'deployment-unknown',
        env.name,
        'no deployment.origin or csrf.trustedOrigins: cookie checks assume https, same-site, host-only',
        { path: 'deployment.origin' },
      ),
    ];
  }
  if (!https && !local) {
    return [
      finding(
        'error',
        'deployment-http',
        env.name,
        `${origin.origin} is plain HTTP: credentials would cross the network in clear; serve it over https`,
        { path: 'deployment.origin', ref: asvs(ASVS.tls) },
      ),
    ];
  }
  return [];
};

/** Cookie attributes against the deployment: https, cross-site use, subdomains. */
export const cookieRule: Rule = ({ env, cookies, deployment }) => {
  if (cookies === null || !deployment.browsers) return [];
  const { findings, add } = collector();
  const { secure, sameSite, domain } = cookies.attributes;
  const subject = env.name;

  if (!secure) {
    const local = deployment.local && !deployment.https;
    add(
      local ? 'info' : 'error',
      'cookie-insecure',
      subject,
      local
        ? 'cookies lack Secure: fine for http://localhost, never in production'
        : 'cookies lack Secure, so browsers send them over plain HTTP; remove cookies.secure: false',
      { path: 'cookies.secure', ref: asvs(ASVS.cookieSecure) },
    );
  } else {
    for (const [role, name] of Object.entries(cookies.names)) {
      if (!PREFIXED.test(name)) {
        add(
          'warn',
          'cookie-prefix',
          subject,
          `the ${role} cookie "${name}" has no __Host- or __Secure- prefix`,
          {
            path: `cookies.names.${role}`,
            ref: asvs(ASVS.cookieSecure),
          },
        );
      }
    }
  }

  if (domain !== undefined) {
    add(
      deployment.subdomains ? 'info' : 'warn',
      'cookie-domain',
      subject,
      `cookies go to every subdomain of ${domain}, which can read and overwrite them${deployment.subdomains ? ' (deployment.subdomains says this is intended)' : '; drop cookies.domain unless subdomains must share the session'}`,
      { path: 'cookies.domain', ref: asvs(ASVS.cookieHostPrefix) },
    );
  } else if (deployment.subdomains) {
    add(
      'warn',
      'cookie-domain',
      subject,
      'deployment.subdomains is set but cookies are host-only: subdomains will not see the session',
      {
        path: 'cookies.domain',
      },
    );
  }

  if (deployment.crossSite && sameSite !== 'none') {
    add(
      'warn',
      'cookie-samesite',
      subject,
      `deployment.crossSite is set but SameSite=${sameSite} keeps cookies off cross-site requests; use sameSite: 'none' (and partitioned for iframes)`,
      {
        path: 'cookies.sameSite',
        ref: asvs(ASVS.cookieSameSite),
      },
    );
  } else if (!deployment.crossSite && sameSite === 'none') {
    add(
      'warn',
      'cookie-samesite',
      subject,
      "SameSite=None sends cookies on every cross-site request, which this deployment does not need; use 'lax'",
      {
        path: 'cookies.sameSite',
        ref: asvs(ASVS.cookieSameSite),
      },
    );
  } else if (sameSite === 'strict') {
    add(
      'info',
      'cookie-samesite',
      subject,
      'SameSite=Strict: users following a link from another site arrive signed out',
      {
        path: 'cookies.sameSite',
      },
    );
  }
  return findings;
};

/** CSRF protection against the cookies and the deployment. */
export const csrfRule: Rule = ({ env, options, csrf, cookies, deployment }) => {
  const subject = env.name;
  const ref = asvs(ASVS.csrf);
  if (!deployment.browsers) return [];
  if (options.csrf === undefined) {
    return [
      finding(
        'error',
        'csrf-missing',
        subject,
        'no csrf option: the bindings refuse cookie-authenticated requests without it (set deployment.browsers: false if no browser calls this server)',
        {
          path: 'csrf',
          ref,
        },
      ),
    ];
  }
  if (csrf === null) return []; // core's own issues are reported already
  const { findings, add } = collector();
  const { origin } = deployment;
  if (origin !== null && !csrf.trustedOrigins.includes(origin.origin)) {
    add(
      'warn',
      'csrf-origin',
      subject,
      `${origin.origin} is not a trusted origin: the app's own forms would be refused`,
      {
        path: 'csrf.trustedOrigins',
        ref,
      },
    );
  }
  for (const trusted of csrf.trustedOrigins) {
    const url = new URL(trusted);
    if (url.protocol === 'http:' && !isLoopback(url)) {
      add(
        'warn',
        'csrf-origin',
        subject,
        `trusted origin ${trusted} is plain HTTP; a network attacker can forge its requests`,
        {
          path: 'csrf.trustedOrigins',
          ref,
        },
      );
    }
  }
  if (csrf.allowSameSite) {
    add(
      deployment.subdomains ? 'info' : 'warn',
      'csrf-same-site',
      subject,
      'allowSameSite accepts requests from sibling subdomains, so any of them can forge requests',
      {
        path: 'csrf.allowSameSite',
        ref,
      },
    );
  }
  if (csrf.allowMissingOrigin) {
    add(
      'warn',
      'csrf-missing-origin',
      subject,
      'allowMissingOrigin accepts unsafe requests that carry neither Origin nor Referer',
      {
        path: 'csrf.allowMissingOrigin',
        ref,
      },
    );
  }
  if (csrf.mode === 'origin-only') {
    const crossSite = cookies?.attributes.sameSite === 'none';
    add(
      crossSite ? 'warn' : 'info',
      'csrf-origin-only',
      subject,
      crossSite
        ? "origin-only mode with SameSite=None: cookies ride every cross-site request and only the Origin check stands; use 'synchronizer'"
        : 'origin-only mode relies on browsers sending Origin (all current ones do); SameSite cookies add a second layer',
      {
        path: 'csrf.mode',
        ref,
      },
    );
  }
  return findings;
};
