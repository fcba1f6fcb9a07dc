// SPDX-License-Identifier: MIT
/*
 * The CPUs the guest does not have. The guest owns the LAPIC, so it can
 * send NMIs, INIT and start-up IPIs to every other CPU of the machine
 * (docs/vmx.md, "Parked CPUs"). A CPU that took a start-up IPI would run
 * whatever lies at the vector's page outside VMX, with all of memory; one
 * that triple-faults there resets many machines. Keel parks them where
 * none of that reaches: this scenario tries, and must simply go on.
 */
#include "guest/guest.h"

#define LAPIC_BASE 0xfee00000u
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
/* ICR fields, SDM Vol.3A 11.6.1 */
#define ICR_DELIVERY_NMI (4u << 8)
#define ICR_DELIVERY_INIT (5u << 8)
#define ICR_DELIVERY_STARTUP (6u << 8)
#define ICR_DELIVERY_PENDING (1u << 12)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_ALL_BUT_SELF (3u << 18)
#define HOSTILE_NMIS 5

static void icr_send(u32 lo)
{
	volatile u32 *icr = (volatile u32 *)(LAPIC_BASE + LAPIC_ICR_LO);

	*(volatile u32 *)(LAPIC_BASE + LAPIC_ICR_HI) = 0;
	*icr = lo | ICR_ALL_BUT_SELF;
	for (u32 i = 0; (*icr & ICR_DELIVERY_PENDING) && i < 1000000; i++)
		__asm__ volatile("pause");
}

static void spin(u32 n)
{
	for (volatile u32 i = 0; i < n; i++)
		;
}

/*
 * The MP start-up sequence (SDM Vol.3A 9.4.4.1): INIT, then two start-up
 * IPIs, for vectors whose pages hold whatever the firmware or the boot
 * loader left there.
 */
void run_hostile_cpus(const struct guest_env *env __attribute__((unused)))
{
	static const u8 vectors[] = { 0x00, 0x08, 0x10, 0x70, 0x9f };

	for (u32 i = 0; i < HOSTILE_NMIS; i++) {
		icr_send(ICR_DELIVERY_NMI | ICR_LEVEL_ASSERT);
		spin(20000);
	}
	kprintf("keel-guest: sent %u NMIs to every other CPU\n", HOSTILE_NMIS);
	for (u32 i = 0; i < sizeof(vectors); i++) {
		icr_send(ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT);
		spin(200000);
		icr_send(ICR_DELIVERY_STARTUP | ICR_LEVEL_ASSERT | vectors[i]);
		spin(20000);
		icr_send(ICR_DELIVERY_STARTUP | ICR_LEVEL_ASSERT | vectors[i]);
		spin(2000000);
		kprintf("keel-guest: INIT and start-up IPIs at vector 0x%x sent\n",
			vectors[i]);
	}
	for (u32 i = 0; i < HOSTILE_NMIS; i++) {
		icr_send(ICR_DELIVERY_NMI | ICR_LEVEL_ASSERT);
		spin(20000);
	}
	spin(5000000);
	report("hostile_cpus_still_running", true,
	       "INIT, start-up IPIs and NMIs sent to every other CPU");
}
