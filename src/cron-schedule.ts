/**
 * The one Cron Trigger of wrangler.toml: the hourly sweep and housekeeping. A Neon compute scales to
 * zero after 5 minutes without a query (https://neon.com/docs/introduction/scale-to-zero); one run an
 * hour lets an idle service's compute sleep, where a sweep every minute would keep it running all month. A
 * deployment whose database never idles may add a faster schedule: any other schedule only sweeps.
 */
export const HOURLY = "17 * * * *";
